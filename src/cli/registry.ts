// The registry commands: namespaces (what each top-level znode holds) and instances (HiveServer2,
// HA, LLAP, Kyuubi or metastore registrations, each with the client address that owns its session).

import { HiveZkError, isHiveZkError, preview } from '../core/errors';
import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_METASTORE_NAMESPACE } from '../core/registry/hs2Registry';
import { listKyuubiEngines } from '../core/registry/kyuubiRegistry';
import { listLlapDaemons } from '../core/registry/llapRegistry';
import { listMetastoreInstances } from '../core/registry/metastoreRegistry';
import { discoverNamespaces, parseEngineSpace } from '../core/registry/namespaceDiscovery';
import { ownerJson, ownerOf } from '../core/health/owners';
import type { Hs2Instance } from '../core/registry/hs2Instance';
import type { ZkSession } from '../core/zk/session';
import { flag, requireFlag, type Args } from './args';
import { listAnyInstances, sessionHolders } from './lookups';
import { withSession } from './session';

export function namespaces(args: Args): Promise<unknown> {
  return withSession(requireFlag(args, 'zk'), args, async (session) => ({ namespaces: await discoverNamespaces(session) }));
}

export function instances(args: Args): Promise<unknown> {
  if ([args.values.ha, args.values.llap, args.values.metastore].filter((given) => given === true).length > 1) {
    throw new HiveZkError('BAD_ARGUMENT', 'Give one of --ha, --llap and --metastore.');
  }
  return withSession(requireFlag(args, 'zk'), args, async (session) => {
    try {
      return await listRegistry(session, args);
    } catch (error) {
      throw isHiveZkError(error, 'NAMESPACE_MISSING') ? await withNamespacesThatExist(session, error) : error;
    }
  });
}

/** A missing namespace's error, saying which namespaces the ensemble does have and what each holds. */
async function withNamespacesThatExist(session: ZkSession, missing: HiveZkError): Promise<HiveZkError> {
  let found;
  try {
    found = await discoverNamespaces(session);
  } catch {
    return missing;
  }
  const registries = found.filter((n) => n.kind !== 'other' && n.kind !== 'locks');
  const listed = registries.map((n) => `${n.name} (${n.kind})`).join(', ');
  const hint = registries.length > 0 ? ` Namespaces with registrations on this ensemble: ${listed}.` : ` No namespace on this ensemble holds registrations (top-level znodes: ${found.map((n) => n.name).join(', ') || 'none'}).`;
  return new HiveZkError('NAMESPACE_MISSING', `${missing.message}${preview(hint, 400)}`, { ...missing.details, existing: registries.map((n) => n.name) });
}

async function listRegistry(session: ZkSession, args: Args): Promise<unknown> {
  const namespace = flag(args, 'namespace') ?? defaultNamespace(args);
  if (args.values.llap === true || /^llap-(sasl|unsecure)$/.test(namespace)) {
    return listLlapDaemons(session, namespace);
  }
  if (parseEngineSpace(namespace.replace(/^\/+/, '')) !== undefined) {
    return { namespace, engines: await listKyuubiEngines(session, namespace) };
  }
  // Metastore discovery (Hive 4): "<host>:<port><sequence>" znodes, not HiveServer2 registrations.
  if (args.values.metastore === true || namespace.replace(/^\/+/, '') === DEFAULT_METASTORE_NAMESPACE) {
    return { namespace, metastores: await listMetastoreInstances(session, namespace) };
  }
  // Who holds which session (`cons`, short connections of its own) is asked while the namespace is read.
  const [listing, sessions] = await Promise.all([listAnyInstances(session, namespace, args.values.ha === true), sessionHolders(session, args)]);
  // The listing is this command's own: each instance gets its owner in place (last, as a copy would put it), not copied 10k times.
  for (const instance of listing.instances as (Hs2Instance & { owner?: ReturnType<typeof ownerJson> })[]) {
    instance.owner = ownerJson(ownerOf(instance.ephemeralOwner, sessions));
  }
  return listing;
}

/** The namespace Hive uses for the kind of registry asked for; LLAP has none of its own (its name says sasl or not). */
function defaultNamespace(args: Args): string {
  if (args.values.llap === true) {
    throw new HiveZkError('BAD_ARGUMENT', '--llap needs --namespace: llap-unsecure, llap-sasl, or the one set in hive.llap.zk.registry.namespace.');
  }
  if (args.values.metastore === true) {
    return DEFAULT_METASTORE_NAMESPACE;
  }
  return args.values.ha === true ? DEFAULT_HA_NAMESPACE : DEFAULT_HS2_NAMESPACE;
}
