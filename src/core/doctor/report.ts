// The doctor's report for people: plain text for a terminal and Markdown for the editor's preview.
// Every value is untrusted znode or peer text, so each is shown with invisible characters escaped
// and, in Markdown, with every character that could form markup escaped.

import { escapeInvisible } from '../untrusted';
import type { DoctorEndpoint } from './endpoints';
import type { DoctorReport } from './doctor';
import type { Finding } from './hygiene';

const MAX_CELL = 300;

function clean(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  const cut = text.length > MAX_CELL ? `${text.slice(0, MAX_CELL)}…` : text;
  return escapeInvisible(cut).replace(/[\r\n\t]+/g, ' ');
}

function endpointName(e: DoctorEndpoint): string {
  return `${e.host ?? '?'}:${e.port ?? '?'}`;
}

function counts(report: DoctorReport): string {
  const by = (severity: Finding['severity']): number => report.findings.filter((f) => f.severity === severity).length;
  const answering = report.endpoints.filter((e) => e.probe.status === 'answering').length;
  return `${answering} of ${report.endpoints.length} endpoints answer; ${by('error')} errors, ${by('warning')} warnings, ${by('info')} notes`;
}

/** A readable terminal report: steps, endpoints grouped by namespace, findings. */
export function formatDoctorText(report: DoctorReport): string {
  const lines: string[] = [];
  if (report.steps) {
    lines.push('Steps');
    for (const step of report.steps) {
      lines.push(`  ${step.ok ? 'ok  ' : 'FAIL'} ${step.step.padEnd(10)} ${clean(step.detail)}`);
    }
    lines.push('');
  }
  lines.push('Endpoints');
  if (report.endpoints.length === 0) {
    lines.push('  (none registered)');
  }
  let namespace: string | undefined;
  const width = Math.min(40, Math.max(0, ...report.endpoints.map((e) => clean(endpointName(e)).length)));
  for (const e of report.endpoints) {
    if (e.namespace !== namespace) {
      namespace = e.namespace;
      lines.push(`  ${clean(namespace) || '(direct URL)'}`);
    }
    const how = `${e.kind}/${e.transport}${e.ssl ? '+ssl' : ''}`;
    lines.push(`    ${e.probe.status.padEnd(13)} ${clean(endpointName(e)).padEnd(width)}  ${how.padEnd(22)} ${String(e.probe.ms).padStart(5)} ms  ${clean(e.probe.detail)}`);
  }
  lines.push('', 'Findings');
  if (report.findings.length === 0) {
    lines.push('  none');
  }
  for (const f of report.findings) {
    lines.push(`  ${f.severity.toUpperCase().padEnd(7)} ${f.code}: ${clean(f.message)}`);
    if (f.znode !== null) {
      lines.push(`          ${clean(f.znode)}`);
    }
  }
  lines.push('', counts(report));
  return `${lines.join('\n')}\n`;
}

/** Markdown with every character that could start markup, a link or HTML escaped. */
export function markdownText(value: string | number | null | undefined): string {
  return clean(value).replace(/[\\`*_{}[\]()<>#+\-.!|~&]/g, (c) => `\\${c}`);
}

/** The report as a Markdown document with tables, for a read-only preview. */
export function formatDoctorMarkdown(report: DoctorReport, title: string, checkedAt: Date): string {
  const lines: string[] = [`# Registry doctor: ${markdownText(title)}`, '', `Checked ${checkedAt.toISOString()}. ${markdownText(counts(report))}.`, ''];
  if (report.steps) {
    lines.push('## Steps', '', '| Step | | Detail |', '|---|---|---|');
    for (const step of report.steps) {
      lines.push(`| ${step.step} | ${step.ok ? '✅' : '❌'} | ${markdownText(step.detail)} |`);
    }
    lines.push('');
  }
  lines.push('## Endpoints', '');
  if (report.endpoints.length === 0) {
    lines.push('No registration names an endpoint.', '');
  } else {
    lines.push('| Status | Endpoint | Kind | Transport | ms | Detail | Znode |', '|---|---|---|---|---:|---|---|');
    for (const e of report.endpoints) {
      lines.push(`| ${e.probe.status === 'answering' ? '✅' : '❌'} ${e.probe.status} | ${markdownText(endpointName(e))} | ${e.kind} | ${e.transport}${e.ssl ? ' \\+ SSL' : ''} | ${e.probe.ms} | ${markdownText(e.probe.detail)} | ${markdownText(e.znode)} |`);
    }
    lines.push('');
  }
  lines.push('## Findings', '');
  if (report.findings.length === 0) {
    lines.push('None.', '');
  } else {
    lines.push('| Severity | Code | Message | Znode |', '|---|---|---|---|');
    for (const f of report.findings) {
      lines.push(`| ${f.severity} | ${markdownText(f.code)} | ${markdownText(f.message)} | ${markdownText(f.znode)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
