package org.elasticsearch.node;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one Elasticsearch node from the jars published on Maven Central. The official distribution
 * is not reachable here, and its bootstrap expects bundled modules; this skips that bootstrap and
 * builds the node directly with classpath plugins. It is in org.elasticsearch.node because the
 * Node constructor that takes a custom NodeServiceProvider is package-private.
 *
 * Arguments are Elasticsearch settings in the -Ekey=value form of the real CLI; path.home is required.
 */
public final class CitysocEsLauncher {

    private static final Collection<Class<? extends Plugin>> PLUGINS = List.of(Netty4Plugin.class, RootInfoPlugin.class);

    private CitysocEsLauncher() {}

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder()
            // The plugin from Maven registers the netty4 transports, but only the distribution sets them as defaults.
            .put("http.type", "netty4")
            .put("transport.type", "netty4");
        for (String arg : args) {
            if (!arg.startsWith("-E") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected -Ekey=value, got " + arg);
            }
            String kv = arg.substring(2);
            int eq = kv.indexOf('=');
            builder.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Settings settings = builder.build();
        Path home = Path.of(settings.get("path.home"));
        Path config = home.resolve("config");
        Files.createDirectories(config);

        LogConfigurator.registerErrorListener();
        LogConfigurator.configureESLogging();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), config, () -> settings.get("node.name", "citysoc"));
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        if (Files.exists(config.resolve("log4j2.properties"))) {
            LogConfigurator.configure(environment, true);
        } else {
            // Without a config, log4j's default applies: errors only, on the console.
            LogConfigurator.configureWithoutConfig(environment.settings());
        }
        PluginsLoader pluginsLoader = ClasspathPluginsService.emptyLoader();
        NodeServiceProvider provider = new NodeServiceProvider() {
            @Override
            org.elasticsearch.plugins.PluginsService newPluginService(Environment env, PluginsLoader loader) {
                return new ClasspathPluginsService(env.settings(), env, PLUGINS);
            }
        };
        Node node = new Node(NodeConstruction.prepareConstruction(environment, pluginsLoader, provider, true));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.prepareForClose();
                node.close();
                node.awaitClose(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "citysoc-es-shutdown"));
        node.start();
        stopped.await();
    }
}
