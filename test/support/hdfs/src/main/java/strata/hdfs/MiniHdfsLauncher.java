package strata.hdfs;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.MiniDFSCluster.DataNodeProperties;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.SafeModeAction;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Runs a real HDFS (one NameNode, N DataNodes, WebHDFS on) in this JVM for strata's tests.
 *
 * Protocol, one JSON object per line: stdout says {"event":"ready",...} once the cluster is up,
 * then answers each stdin command ("stopDataNode I", "restartDataNode I", "enterSafeMode",
 * "leaveSafeMode") with one line. Closing
 * stdin or SIGTERM shuts the cluster down and deletes its base directory. All logging goes to
 * stderr so stdout carries nothing but the protocol.
 *
 * Usage: java -cp ... strata.hdfs.MiniHdfsLauncher BASE_DIR [DATANODES]
 */
public final class MiniHdfsLauncher {
  private static final int dataNodesDefault = 3;
  // Two copies of every block: one DataNode can be stopped and every file stays readable.
  private static final int replication = 2;

  private final PrintStream protocol;
  private final MiniDFSCluster cluster;
  private final Map<Integer, DataNodeProperties> stopped = new HashMap<>();
  // Transfer address of each DataNode by its index on the ready line; a stop shifts the
  // cluster's own list, these indices stay.
  private final List<String> xferAddresses = new ArrayList<>();
  private boolean shutDown = false;

  private final File baseDir;

  private MiniHdfsLauncher(PrintStream protocol, MiniDFSCluster cluster, File baseDir) {
    this.protocol = protocol;
    this.cluster = cluster;
    this.baseDir = baseDir;
  }

  public static void main(String[] args) throws Exception {
    // Keep stdout for protocol lines only: anything Hadoop prints goes to stderr.
    PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    quietLogging();
    if (args.length < 1) {
      protocol.println("{\"event\":\"error\",\"message\":\"usage: MiniHdfsLauncher BASE_DIR [DATANODES]\"}");
      System.exit(2);
    }
    // On SIGTERM, Hadoop's daemon threads race the JVM's shutdown and complain that they cannot
    // unregister their hooks; harmless, and only noise in a test log.
    Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
      if (error instanceof IllegalStateException && String.valueOf(error.getMessage()).startsWith("Shutdown in progress")) return;
      System.err.println("Exception in thread \"" + thread.getName() + "\": " + error);
      error.printStackTrace();
    });
    File baseDir = new File(args[0]);
    int dataNodes = args.length > 1 ? Integer.parseInt(args[1]) : dataNodesDefault;
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(configuration(baseDir), baseDir)
        .numDataNodes(dataNodes)
        .nameNodePort(0)
        .nameNodeHttpPort(0)
        .format(true)
        .build();
    cluster.waitActive();
    MiniHdfsLauncher launcher = new MiniHdfsLauncher(protocol, cluster, baseDir);
    Runtime.getRuntime().addShutdownHook(new Thread(launcher::shutdown, "mini-hdfs-shutdown"));
    launcher.printReady();
    launcher.serveCommands();
    launcher.shutdown();
    System.exit(0);
  }

  /** Errors only: Hadoop's SLF4J logs (slf4j-simple, on stderr) and Jersey's java.util.logging. */
  private static void quietLogging() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("strata.hdfs.logLevel", "error"));
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
    root.setLevel(java.util.logging.Level.SEVERE);
    for (java.util.logging.Handler handler : root.getHandlers()) handler.setLevel(java.util.logging.Level.SEVERE);
  }

  private static Configuration configuration(File baseDir) {
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.getAbsolutePath());
    conf.set("hadoop.tmp.dir", new File(baseDir, "tmp").getAbsolutePath());
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setBoolean("dfs.permissions.enabled", true);
    conf.setInt("dfs.replication", replication);
    // Small blocks let a test spread one modest file over several blocks and DataNodes.
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 1024 * 1024);
    // A stopped DataNode is declared dead in ~15 s instead of ~10 min, for DataNode-loss tests.
    conf.setInt("dfs.heartbeat.interval", 1);
    conf.setInt("dfs.namenode.heartbeat.recheck-interval", 5000);
    // ...and after 3 s without a heartbeat it is "stale": offered last for reads, not for writes.
    conf.setLong("dfs.namenode.stale.datanode.interval", 3000);
    conf.setBoolean("dfs.namenode.avoid.read.stale.datanode", true);
    conf.setBoolean("dfs.namenode.avoid.write.stale.datanode", true);
    // Tiny listing pages, so every listing of more than 4 entries exercises LISTSTATUS_BATCH paging.
    conf.setInt("dfs.ls.limit", 4);
    // Fewer threads: the test machines are small and shared.
    conf.setInt("dfs.namenode.handler.count", 4);
    conf.setInt("dfs.namenode.service.handler.count", 2);
    conf.setInt("dfs.datanode.handler.count", 2);
    conf.setInt("dfs.namenode.safemode.extension", 0);
    return conf;
  }

  private void printReady() throws Exception {
    StringBuilder nodes = new StringBuilder();
    List<DataNode> dataNodes = cluster.getDataNodes();
    for (int i = 0; i < dataNodes.size(); i++) {
      DataNode node = dataNodes.get(i);
      xferAddresses.add(node.getDatanodeId().getXferAddr());
      if (i > 0) nodes.append(',');
      nodes.append("{\"index\":").append(i)
          .append(",\"httpPort\":").append(node.getInfoPort())
          .append(",\"xferAddress\":\"").append(escape(xferAddresses.get(i))).append("\"}");
    }
    String superuser = UserGroupInformation.getCurrentUser().getShortUserName();
    int httpPort = cluster.getNameNode().getHttpAddress().getPort();
    int rpcPort = cluster.getNameNodePort();
    protocol.println("{\"event\":\"ready\",\"namenodeUrl\":\"http://127.0.0.1:" + httpPort
        + "\",\"namenodeRpcUrl\":\"hdfs://127.0.0.1:" + rpcPort
        + "\",\"superuser\":\"" + superuser + "\",\"dataNodes\":[" + nodes + "]}");
  }

  private void serveCommands() throws Exception {
    BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = input.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      if (words.length == 0 || words[0].isEmpty()) continue;
      try {
        runCommand(words);
      } catch (Exception error) {
        protocol.println("{\"event\":\"error\",\"command\":\"" + escape(line) + "\",\"message\":\""
            + escape(String.valueOf(error)) + "\"}");
      }
    }
  }

  private void runCommand(String[] words) throws Exception {
    String command = words[0];
    int index = words.length > 1 ? Integer.parseInt(words[1]) : -1;
    if (command.equals("stopDataNode")) {
      if (stopped.containsKey(index)) throw new IllegalStateException("DataNode " + index + " is already stopped");
      // Indices are those of the ready line: stopping one must not shift the others.
      DataNodeProperties properties = cluster.stopDataNode(xferAddresses.get(index));
      stopped.put(index, properties);
      protocol.println("{\"event\":\"dataNodeStopped\",\"index\":" + index + "}");
    } else if (command.equals("restartDataNode")) {
      DataNodeProperties properties = stopped.remove(index);
      if (properties == null) throw new IllegalStateException("DataNode " + index + " is not stopped");
      cluster.restartDataNode(properties, true);
      cluster.waitActive();
      protocol.println("{\"event\":\"dataNodeRestarted\",\"index\":" + index + "}");
    } else if (command.equals("enterSafeMode") || command.equals("leaveSafeMode")) {
      boolean enter = command.equals("enterSafeMode");
      cluster.getNameNodeRpc().setSafeMode(enter ? SafeModeAction.SAFEMODE_ENTER : SafeModeAction.SAFEMODE_LEAVE, false);
      protocol.println("{\"event\":\"" + (enter ? "safeModeEntered" : "safeModeLeft") + "\"}");
    } else {
      throw new IllegalArgumentException("unknown command " + command
          + "; expected stopDataNode I, restartDataNode I, enterSafeMode or leaveSafeMode");
    }
  }

  private synchronized void shutdown() {
    if (shutDown) return;
    shutDown = true;
    try {
      cluster.shutdown(true);
    } catch (IllegalStateException error) {
      // On SIGTERM the JVM is already exiting and Hadoop's own hooks cannot be unregistered;
      // the daemons are stopped all the same.
    }
    deleteTree(baseDir);
  }

  /** Removes the cluster's files; MiniDFSCluster may not get to it when interrupted by SIGTERM. */
  private static void deleteTree(File root) {
    try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(root.toPath())) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException error) {
      // Already gone, or a file vanished while walking: nothing left to do.
    }
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
