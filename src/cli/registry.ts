// The registry commands: namespaces (what each top-level znode holds) and instances (HiveServer2,
// HA, LLAP, Kyuubi or metastore registrations, each with the client address that owns its session).

import { HiveZkError, isHiveZkError, preview } from '../core/errors';
import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_METASTORE_NAMESPACE } from '../core/registry/hs2Registry';
import { discoverNamespaces } from '../core/registry/namespaceDiscovery';
import { hiveServer2Instances, listRegistry, registryKindOfName, type RegistryListing } from '../core/registry/registry';
import { ownerJson, ownerOf } from '../core/health/owners';
import type { Hs2Instance } from '../core/registry/hs2Instance';
import type { ZkSession } from '../core/zk/session';
import { flag, requireFlag, type Args } from './args';
import { sessionHolders } from './lookups';
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
      return await listNamespace(session, args);
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

async function listNamespace(session: ZkSession, args: Args): Promise<unknown> {
  const namespace = flag(args, 'namespace') ?? defaultNamespace(args);
  // --llap goes first; otherwise what the name says wins over --metastore and --ha.
  const kind = args.values.llap === true ? 'llap' : (registryKindOfName(namespace) ?? (args.values.metastore === true ? 'metastore' : args.values.ha === true ? 'hs2-ha' : 'hs2-or-ha'));
  if (kind !== 'hs2-ha' && kind !== 'hs2-or-ha') {
    return listingJson(await listRegistry(session, namespace, { kind }));
  }
  // Who holds which session (`cons`, short connections of its own) is asked while the namespace is read.
  const [found, sessions] = await Promise.all([listRegistry(session, namespace, { kind }), sessionHolders(session, args)]);
  // The listing is this command's own: each instance gets its owner in place (last, as a copy would put it), not copied 10k times.
  for (const instance of hiveServer2Instances(found) as (Hs2Instance & { owner?: ReturnType<typeof ownerJson> })[]) {
    instance.owner = ownerJson(ownerOf(instance.ephemeralOwner, sessions));
  }
  return listingJson(found);
}

/** The JSON each kind prints: a listing as it is; Kyuubi engines and metastores under their namespace. */
function listingJson(found: RegistryListing): unknown {
  switch (found.kind) {
    case 'kyuubi-engine':
      return { namespace: found.namespace, engines: found.engines };
    case 'metastore':
      return { namespace: found.namespace, metastores: found.metastores };
    default:
      return found.listing;
  }
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
