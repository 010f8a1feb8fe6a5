// The anchor for `npm run bench`: ZooKeeper's own Java client (Debian's jars), async API with a
// bounded number of requests in flight, doing the same work as the extension's core against the
// same server; per request, or batched with multiRead (ZooKeeper.multi of Op.getData/Op.getChildren,
// ZooKeeper 3.6+). Prints {"runs":[ms,...],"requests":n} on stdout.
//   java ZkBench <connectString> expand|walk|resolve <path> <runs> <inflight>
//   java ZkBench <connectString> expand-multi|walk-multi[-keep] <path> <runs> <batches in flight> <ops per batch> [warm-up runs]
// -keep: each result decoded into a record and kept until the run ends, as the extension keeps them.
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.apache.zookeeper.*;

public class ZkBench {
  static ZooKeeper zk;
  static final AtomicLong requests = new AtomicLong();
  static volatile long decodedSink;

  public static void main(String[] args) throws Exception {
    String connect = args[0], workload = args[1], path = args[2];
    int runs = Integer.parseInt(args[3]), inflight = Integer.parseInt(args[4]);
    int batch = args.length > 5 ? Integer.parseInt(args[5]) : 500;
    int warmups = args.length > 6 ? Integer.parseInt(args[6]) : 1;
    CountDownLatch connected = new CountDownLatch(1);
    zk = new ZooKeeper(connect, 30000, e -> { if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown(); });
    if (!connected.await(15, TimeUnit.SECONDS)) throw new IllegalStateException("could not connect");
    List<Double> times = new ArrayList<>();
    for (int run = -warmups; run < runs; run++) { // runs below 0 warm up the JIT
      requests.set(0);
      kept = null; // the previous run's records are not carried through this one
      keptInstances = null;
      long t0 = System.nanoTime();
      switch (workload) {
        case "expand": expand(path, inflight); break;
        case "walk": walk(path, inflight); break;
        case "resolve": resolve(path); break;
        case "expand-multi": expandMulti(path, inflight, batch, false); break;
        case "expand-multi-keep": expandMulti(path, inflight, batch, true); break;
        case "walk-multi": walkMulti(path, inflight, batch, false); break;
        case "walk-multi-keep": walkMulti(path, inflight, batch, true); break;
        default: throw new IllegalArgumentException(workload);
      }
      if (run >= 0) times.add((System.nanoTime() - t0) / 1e6);
    }
    StringBuilder out = new StringBuilder("{\"runs\":[");
    for (int i = 0; i < times.size(); i++) out.append(i > 0 ? "," : "").append(String.format(Locale.ROOT, "%.2f", times.get(i)));
    out.append("],\"requests\":").append(requests.get()).append("}");
    System.out.println(out);
    zk.close();
  }

  /** List a namespace and read + decode every child's data ("k=v;k=v" or "host:port"). */
  static void expand(String ns, int inflight) throws Exception {
    List<String> children = zk.getChildren(ns, false);
    requests.incrementAndGet();
    Semaphore slots = new Semaphore(inflight);
    CountDownLatch done = new CountDownLatch(children.size());
    for (String child : children) {
      slots.acquire();
      requests.incrementAndGet();
      zk.getData(ns + "/" + child, false, (rc, p, ctx, data, stat) -> {
        if (data != null) decodeInstance(data);
        slots.release();
        done.countDown();
      }, null);
    }
    done.await();
  }

  static void decodeInstance(byte[] data) {
    decodedSink += instanceSettings(data).size();
  }

  static Map<String, String> instanceSettings(byte[] data) {
    Map<String, String> settings = new HashMap<>();
    for (String pair : new String(data, StandardCharsets.UTF_8).split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0) settings.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return settings;
  }

  /** Breadth-first walk of the lock tree; every LOCK-* child's data is read and decoded. */
  static void walk(String root, int inflight) throws Exception {
    BlockingQueue<String[]> queue = new LinkedBlockingQueue<>();
    AtomicInteger pending = new AtomicInteger(1);
    Semaphore slots = new Semaphore(inflight);
    queue.add(new String[] {"node", root});
    CountDownLatch finished = new CountDownLatch(1);
    Runnable complete = () -> { if (pending.decrementAndGet() == 0) finished.countDown(); };
    while (finished.getCount() > 0) {
      String[] item = queue.poll(5, TimeUnit.MILLISECONDS);
      if (item == null) continue;
      slots.acquire();
      requests.incrementAndGet();
      if (item[0].equals("lock")) {
        zk.getData(item[1], false, (rc, p, ctx, data, stat) -> {
          if (data != null) decodedSink += new String(data, StandardCharsets.UTF_8).split(":").length;
          slots.release();
          complete.run();
        }, null);
      } else {
        zk.getChildren(item[1], false, (rc, p, ctx, children) -> {
          if (children != null) {
            for (String child : children) {
              pending.incrementAndGet();
              queue.add(new String[] {child.startsWith("LOCK-") ? "lock" : "node", p + "/" + child});
            }
          }
          slots.release();
          complete.run();
        }, null);
      }
    }
  }

  /** An instance as an explorer keeps it: its znode name, settings and stat's ctime and owner. */
  record InstanceRecord(String name, Map<String, String> settings, long ctime, long owner) {}
  static volatile List<InstanceRecord> keptInstances;

  /**
   * expand with multiRead: list the namespace, then its children's data in batches, `inflight` batches at once.
   * keep: every instance decoded and kept until the expand ends (what the extension does); otherwise dropped.
   */
  static void expandMulti(String ns, int inflight, int batch, boolean keep) throws Exception {
    List<String> children = zk.getChildren(ns, false);
    requests.incrementAndGet();
    List<String> paths = new ArrayList<>(children.size());
    for (String child : children) paths.add(ns + "/" + child);
    List<InstanceRecord> records = Collections.synchronizedList(new ArrayList<>());
    readBatches(paths, true, inflight, batch, null, (offset, results) -> {
      for (int i = 0; i < results.size(); i++) {
        if (!(results.get(i) instanceof OpResult.GetDataResult)) continue;
        OpResult.GetDataResult r = (OpResult.GetDataResult) results.get(i);
        if (r.getData() == null) continue;
        if (keep) records.add(new InstanceRecord(children.get(offset + i), instanceSettings(r.getData()), r.getStat().getCtime(), r.getStat().getEphemeralOwner()));
        else decodeInstance(r.getData());
      }
    });
    keptInstances = keep ? records : null;
  }

  /** What an explorer keeps of each lock: its path, the decoded fields of its data, its ctime and owner. */
  record LockRecord(String path, String queryId, long lockTime, String mode, String query, String client, long ctime, long owner) {}
  static volatile List<LockRecord> kept;

  static LockRecord lockRecord(String path, byte[] data, org.apache.zookeeper.data.Stat stat) {
    String[] f = new String(data, StandardCharsets.UTF_8).split(":", 5);
    long time = -1;
    try { time = Long.parseLong(f[1]); } catch (RuntimeException e) { }
    return new LockRecord(path, f[0], time, f.length > 2 ? f[2] : null, f.length > 3 ? f[3] : null, f.length > 4 ? f[4] : null, stat.getCtime(), stat.getEphemeralOwner());
  }

  /**
   * walk with multiRead, level by level: each level's listings in batches, then the locks found, in batches.
   * keep: every lock decoded into a record and kept until the walk ends (what the extension's walk does);
   * otherwise each lock's data is split and dropped.
   */
  static void walkMulti(String root, int inflight, int batch, boolean keep) throws Exception {
    List<LockRecord> records = Collections.synchronizedList(new ArrayList<>());
    List<String> level = new ArrayList<>(List.of(root));
    while (!level.isEmpty()) {
      List<String> next = Collections.synchronizedList(new ArrayList<>());
      List<String> locks = Collections.synchronizedList(new ArrayList<>());
      List<String> parents = level;
      // Results come back in op order; each batch knows its offset into `parents`.
      readBatches(parents, false, inflight, batch, null, (offset, results) -> {
        for (int i = 0; i < results.size(); i++) {
          if (!(results.get(i) instanceof OpResult.GetChildrenResult)) continue;
          String parent = parents.get(offset + i);
          for (String child : ((OpResult.GetChildrenResult) results.get(i)).getChildren()) {
            (child.startsWith("LOCK-") ? locks : next).add(parent + "/" + child);
          }
        }
      });
      List<String> lockPaths = new ArrayList<>(locks);
      readBatches(lockPaths, true, inflight, batch, null, (offset, results) -> {
        for (int i = 0; i < results.size(); i++) {
          if (!(results.get(i) instanceof OpResult.GetDataResult)) continue;
          OpResult.GetDataResult r = (OpResult.GetDataResult) results.get(i);
          if (r.getData() == null) continue;
          if (keep) records.add(lockRecord(lockPaths.get(offset + i), r.getData(), r.getStat()));
          else decodedSink += new String(r.getData(), StandardCharsets.UTF_8).split(":").length;
        }
      });
      level = new ArrayList<>(next);
    }
    kept = keep ? records : null;
  }

  interface ResultSink { void accept(OpResult result); }
  interface BatchSink { void accept(int offset, List<OpResult> results); }

  static void readBatches(List<String> paths, boolean data, int inflight, int batch, ResultSink each) throws Exception {
    readBatches(paths, data, inflight, batch, each, null);
  }

  static void readBatches(List<String> paths, boolean data, int inflight, int batch, ResultSink each, BatchSink whole) throws Exception {
    Semaphore slots = new Semaphore(inflight);
    int batches = (paths.size() + batch - 1) / batch;
    CountDownLatch done = new CountDownLatch(batches);
    for (int start = 0; start < paths.size(); start += batch) {
      List<Op> ops = new ArrayList<>();
      for (String p : paths.subList(start, Math.min(paths.size(), start + batch))) ops.add(data ? Op.getData(p) : Op.getChildren(p));
      final int offset = start;
      slots.acquire();
      requests.incrementAndGet();
      zk.multi(ops, (rc, p, ctx, results) -> {
        if (results != null) {
          if (each != null) for (OpResult r : results) if (!(r instanceof OpResult.ErrorResult)) each.accept(r);
          if (whole != null) whole.accept(offset, results);
        }
        slots.release();
        done.countDown();
      }, null);
    }
    done.await();
  }

  /** What the JDBC driver does: list the namespace, read one random child. */
  static void resolve(String ns) throws Exception {
    List<String> children = zk.getChildren(ns, false);
    requests.incrementAndGet();
    String pick = children.get(ThreadLocalRandom.current().nextInt(children.size()));
    decodeInstance(zk.getData(ns + "/" + pick, false, null));
    requests.incrementAndGet();
  }
}
