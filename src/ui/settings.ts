// Reads and writes the extension's settings; every key is named once, here.
import * as vscode from 'vscode';
import { parseConnectString } from '../core/zk/connectString';
import { DEFAULT_DRIVER_VERSION, parseDriverVersion, type HiveDriverVersion } from '../core/jdbc/driverVersions';
import { DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, type EnsembleEntry } from '../core/config/ensemble';
import { toHiveZkError } from '../core/errors';
import { readSaslSetting, readTlsSetting, tlsSettingValue, type EnsembleSasl, type EnsembleTls } from './ensembleSecurity';

export const SECTION = 'hiveZk';
export const SettingKeys = {
  ensembles: 'ensembles',
  connectTimeoutMs: 'connection.connectTimeoutMs',
  requestTimeoutMs: 'connection.requestTimeoutMs',
  pageSize: 'tree.pageSize',
  liveUpdates: 'tree.liveUpdates',
  beelinePath: 'beeline.path',
  beelineUser: 'beeline.user',
  driverVersion: 'driver.hiveVersion',
  doctorLoopbackOnly: 'doctor.loopbackOnly',
  doctorProbeTimeoutMs: 'doctor.probeTimeoutMs',
  doctorRecheckMinutes: 'doctor.recheckMinutes',
} as const;

/** A configured ensemble: where its Hive registrations and locks are (core's EnsembleEntry), and how to reach it. */
export interface EnsembleConfig extends EnsembleEntry {
  sessionTimeoutMs: number;
  /** The servers' AdminServer port (admin.serverPort), asked when four-letter words are not whitelisted; default 8080. */
  adminServerPort?: number;
  /** beeline's -n user for this ensemble (over hiveZk.beeline.user). */
  beelineUser?: string;
  /** Extra BeeLine options ("--name=value") for this ensemble. */
  beelineArgs?: string[];
  /** TLS to the servers' secureClientPort (store passwords are in SecretStorage). */
  tls?: EnsembleTls;
  /** SASL on every connection (the DIGEST-MD5 credential is in SecretStorage). */
  sasl?: EnsembleSasl;
}

export interface Settings {
  ensembles: EnsembleConfig[];
  /** Entries that could not be used, with the reason (shown in the tree). */
  invalidEnsembles: { name: string; reason: string }[];
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  pageSize: number;
  liveUpdates: boolean;
  beelinePath: string;
  beelineUser: string;
  /** The Hive JDBC driver URLs are parsed, resolved and built for. */
  driverVersion: HiveDriverVersion;
  /** Registry doctor: probe loopback addresses only (also forced by HIVEZK_PROBE_LOOPBACK_ONLY=1). */
  doctorLoopbackOnly: boolean;
  doctorProbeTimeoutMs: number;
  /** Re-check the endpoints last checked every this many minutes; 0 is off. */
  doctorRecheckMinutes: number;
}

type RawEnsemble = Partial<Omit<EnsembleConfig, 'tls' | 'sasl'>> & Record<string, unknown>;

/** An unknown value (hand-edited settings.json) falls back to the default rather than failing every command. */
function driverVersionSetting(value: string): HiveDriverVersion {
  try {
    return parseDriverVersion(String(value));
  } catch {
    return DEFAULT_DRIVER_VERSION;
  }
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const ensembles: EnsembleConfig[] = [];
  const invalidEnsembles: Settings['invalidEnsembles'] = [];
  const seen = new Set<string>();
  for (const raw of config.get<RawEnsemble[]>(SettingKeys.ensembles, [])) {
    const name = typeof raw?.name === 'string' ? raw.name.trim() : '';
    if (name === '' || seen.has(name)) {
      invalidEnsembles.push({ name: name || '(unnamed)', reason: name === '' ? 'The ensemble has no name.' : 'Another ensemble has the same name.' });
      continue;
    }
    let tls: EnsembleTls | undefined;
    let sasl: EnsembleSasl | undefined;
    try {
      parseConnectString(String(raw.connectString ?? ''));
      tls = readTlsSetting(raw.tls);
      sasl = readSaslSetting(raw.sasl);
    } catch (error) {
      invalidEnsembles.push({ name, reason: toHiveZkError(error).message });
      continue;
    }
    seen.add(name);
    ensembles.push({
      name,
      connectString: String(raw.connectString).trim(),
      hs2Namespaces: Array.isArray(raw.hs2Namespaces) && raw.hs2Namespaces.length > 0 ? raw.hs2Namespaces.map(String) : [DEFAULT_HS2_NAMESPACE],
      lockNamespace: typeof raw.lockNamespace === 'string' && raw.lockNamespace !== '' ? raw.lockNamespace : DEFAULT_LOCK_NAMESPACE,
      sessionTimeoutMs: typeof raw.sessionTimeoutMs === 'number' && raw.sessionTimeoutMs >= 2000 ? raw.sessionTimeoutMs : 30_000,
      ...(typeof raw.adminServerPort === 'number' && Number.isInteger(raw.adminServerPort) && raw.adminServerPort >= 1 && raw.adminServerPort <= 65535 ? { adminServerPort: raw.adminServerPort } : {}),
      ...(typeof raw.beelineUser === 'string' && raw.beelineUser !== '' ? { beelineUser: raw.beelineUser } : {}),
      ...(Array.isArray(raw.beelineArgs) && raw.beelineArgs.length > 0 ? { beelineArgs: raw.beelineArgs.map(String) } : {}),
      ...(tls ? { tls } : {}),
      ...(sasl ? { sasl } : {}),
    });
  }
  return {
    ensembles,
    invalidEnsembles,
    connectTimeoutMs: config.get<number>(SettingKeys.connectTimeoutMs, 10_000),
    requestTimeoutMs: config.get<number>(SettingKeys.requestTimeoutMs, 15_000),
    pageSize: Math.max(10, config.get<number>(SettingKeys.pageSize, 200)),
    liveUpdates: config.get<boolean>(SettingKeys.liveUpdates, true),
    beelinePath: config.get<string>(SettingKeys.beelinePath, 'beeline'),
    beelineUser: config.get<string>(SettingKeys.beelineUser, ''),
    driverVersion: driverVersionSetting(config.get<string>(SettingKeys.driverVersion, DEFAULT_DRIVER_VERSION)),
    doctorLoopbackOnly: config.get<boolean>(SettingKeys.doctorLoopbackOnly, false) === true,
    doctorProbeTimeoutMs: wholeNumberIn(config.get<number>(SettingKeys.doctorProbeTimeoutMs, 3000), 100, 60_000, 3000),
    doctorRecheckMinutes: wholeNumberIn(config.get<number>(SettingKeys.doctorRecheckMinutes, 0), 1, 1440, 0),
  };
}

/** A hand-edited number: whole and within bounds, or the fallback (for the re-check, 0 = off). */
function wholeNumberIn(value: unknown, min: number, max: number, fallback: number): number {
  const number = typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : Number.NaN;
  return number >= min && number <= max ? number : fallback;
}

/** Writes the ensemble list to user settings, keeping only the keys a user would set. */
export async function writeEnsembles(ensembles: readonly EnsembleConfig[]): Promise<void> {
  const plain = ensembles.map((e) => {
    const entry: Record<string, unknown> = { name: e.name, connectString: e.connectString };
    if (!(e.hs2Namespaces.length === 1 && e.hs2Namespaces[0] === DEFAULT_HS2_NAMESPACE)) {
      entry.hs2Namespaces = e.hs2Namespaces;
    }
    if (e.lockNamespace !== DEFAULT_LOCK_NAMESPACE) {
      entry.lockNamespace = e.lockNamespace;
    }
    if (e.sessionTimeoutMs !== 30_000) {
      entry.sessionTimeoutMs = e.sessionTimeoutMs;
    }
    if (e.adminServerPort !== undefined) {
      entry.adminServerPort = e.adminServerPort;
    }
    if (e.beelineUser !== undefined) {
      entry.beelineUser = e.beelineUser;
    }
    if (e.beelineArgs !== undefined) {
      entry.beelineArgs = e.beelineArgs;
    }
    if (e.tls) {
      entry.tls = tlsSettingValue(e.tls);
    }
    if (e.sasl) {
      entry.sasl = e.sasl;
    }
    return entry;
  });
  await vscode.workspace.getConfiguration(SECTION).update(SettingKeys.ensembles, plain, vscode.ConfigurationTarget.Global);
}

export function ensembleWithDefaults(name: string, connectString: string, hs2Namespaces?: string[]): EnsembleConfig {
  return {
    name,
    connectString,
    hs2Namespaces: hs2Namespaces && hs2Namespaces.length > 0 ? hs2Namespaces : [DEFAULT_HS2_NAMESPACE],
    lockNamespace: DEFAULT_LOCK_NAMESPACE,
    sessionTimeoutMs: 30_000,
  };
}
