package graphcrm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * The local Neo4j Community server graphcrm manages: an embedded DBMS with the Bolt connector on
 * 127.0.0.1 only and authentication on.
 * Usage: LocalNeo4j HOME PORT PASSWORD_FILE PAGECACHE_MB TX_TIMEOUT_S TX_MEMORY_MB.
 * Every transaction is bounded by the server itself: TX_TIMEOUT_S (db.transaction.timeout, for
 * transactions that ask for no shorter one) and TX_MEMORY_MB (db.memory.transaction.max), so a
 * query that builds a huge list fails alone instead of taking the heap from everyone.
 * File URLs (LOAD CSV) are off unless the system property graphcrm.importDir names a folder, which
 * then becomes the only one LOAD CSV may read (benchmarks use it for the reference load).
 * The neo4j user's password is (re)set from PASSWORD_FILE on every start, so the state folder is
 * the single source of truth. SIGTERM shuts the DBMS down cleanly (no recovery on next start).
 */
public final class LocalNeo4j {
    private LocalNeo4j() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: LocalNeo4j HOME PORT PASSWORD_FILE PAGECACHE_MB TX_TIMEOUT_S TX_MEMORY_MB");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = Files.readString(Path.of(args[2])).strip();
        long pageCacheMb = Long.parseLong(args[3]);
        long txTimeoutSeconds = Long.parseLong(args[4]);
        long txMemoryMb = Long.parseLong(args[5]);

        String importDir = System.getProperty("graphcrm.importDir");
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        if (importDir != null) {
            builder.setConfig(GraphDatabaseSettings.load_csv_file_url_root, Path.of(importDir).toAbsolutePath());
        }
        DatabaseManagementService dbms = builder
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.allow_file_urls, importDir != null)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeoutSeconds))
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.mebiBytes(txMemoryMb))
                .build();

        dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                Map.of("password", password));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "graphcrm-neo4j-shutdown"));
        System.out.println("graphcrm-neo4j ready bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }
}
