// Runs hostile cases in a child process and reports each outcome and the process's peak memory
// (process.resourceUsage().maxRSS): a peak can only be measured per process, so the tests run
// what could blow up here, under a hard time limit, and assert on the report.
//   node hostileChild.js cli '<json argv>'            one hive-zk command, its output serialised as the CLI does
//   node hostileChild.js xml <seed> <count>           generated hostile Hadoop XML property graphs
//   node hostileChild.js store <seed> <count> <dir>   generated hostile TLS stores
//   node hostileChild.js health '<json servers>' <ms> <admin port>  the health probe against (rogue) servers

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/commands';
import { toHiveZkError } from '../../src/core/errors';
import { readBeelineSite, readHs2ConnectionFile } from '../../src/core/config/beelineFiles';
import { parseHadoopXml } from '../../src/core/config/hadoopXml';
import { ensemblesFromHiveSite } from '../../src/core/config/hiveSite';
import { collectEnsembleHealth } from '../../src/core/health/serverHealth';
import { loadTlsMaterial } from '../../src/core/zk/auth/tls';
import { safeJson } from '../../src/core/untrusted';
import { hostileStore, hostileXml } from './hostileGenerators';
import { prng } from './prng';

export interface ChildReport {
  /** Per case: "ok" or the error code. */
  outcomes: string[];
  /** Characters of serialised output, summed. */
  outputChars: number;
  maxRssMb: number;
  /** health: how long the probe of the whole ensemble took. */
  elapsedMs?: number;
}

function outcome(run: () => unknown): { code: string; chars: number } {
  try {
    return { code: 'ok', chars: safeJson(run()).length };
  } catch (error) {
    return { code: toHiveZkError(error).code, chars: 0 };
  }
}

async function main(): Promise<void> {
  const [mode = '', a = '', b = '', c = ''] = process.argv.slice(2);
  const outcomes: string[] = [];
  let outputChars = 0;
  let elapsedMs: number | undefined;
  const record = ({ code, chars }: { code: string; chars: number }): void => {
    outcomes.push(code);
    outputChars += chars;
    // The product reads one file per process: collect between cases, so the peak is one case's, not the garbage of all.
    (globalThis as { gc?: () => void }).gc?.();
  };
  if (mode === 'cli') {
    let result: unknown;
    try {
      result = await runCommand(JSON.parse(a) as string[]);
      record({ code: 'ok', chars: safeJson(result).length });
    } catch (error) {
      record({ code: toHiveZkError(error).code, chars: 0 });
    }
  } else if (mode === 'xml') {
    const random = prng(Number(a));
    for (let i = 0; i < Number(b); i += 1) {
      const text = hostileXml(random);
      record(outcome(() => ensemblesFromHiveSite(text)));
      record(outcome(() => readBeelineSite(text)));
      record(outcome(() => readHs2ConnectionFile(text)));
      record(
        outcome(() => {
          const conf = parseHadoopXml(text);
          return [...conf.properties.keys()].slice(0, 50).map((k) => conf.get(k));
        }),
      );
    }
  } else if (mode === 'store') {
    const random = prng(Number(a));
    for (let i = 0; i < Number(b); i += 1) {
      const file = join(c, `store-${i}`);
      writeFileSync(file, hostileStore(random));
      record(outcome(() => loadTlsMaterial({ caFile: file, caPassword: 'pw' })));
      record(outcome(() => loadTlsMaterial({ keystoreFile: file, keystorePassword: 'pw' })));
    }
  } else if (mode === 'health') {
    const started = Date.now();
    const health = await collectEnsembleHealth(JSON.parse(a) as string, { timeoutMs: Number(b), adminPort: Number(c) });
    elapsedMs = Date.now() - started;
    outcomes.push(...health.servers.map((s) => (s.reachable ? 'reachable' : 'unreachable')));
    outputChars = safeJson({ ...health, sessions: [...health.sessions.values()] }).length;
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const report: ChildReport = { outcomes, outputChars, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...(elapsedMs !== undefined ? { elapsedMs } : {}) };
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
}

void main();
