// Starts Amazon's DynamoDB Local listening on one address only, with its telemetry off.
//
// Why this exists: DynamoDB Local's own main() has no bind-address option and listens on
// every interface, which would put an unauthenticated database on the LAN. Its public
// ServerRunner.createServerFromCommandLineArgs() builds the same server main() starts; the
// Jetty server inside it (private field "server", made with `new Server(port)`) has one
// ServerConnector whose host can still be set before it starts. That field is no public
// API: devserver/dynamodb_backends.py starts this launcher only on the DynamoDB Local release
// it was checked against (DYNAMODB_LOCAL_VERSION there), and if the field is gone anyway
// the launcher exits with status 4 and says so, before anything listens.
//
// Telemetry: createServer() calls Telemetry.configureTelemetry(..., enabled) with
// enabled = !-disableTelemetry, and only when enabled does it create the Telemetry instance,
// the one object that talks to AWS (Pinpoint). We always pass -disableTelemetry, check that
// no instance exists, and start with safeStart(), which also skips start()'s startup event.
//
// Run in java's source-file mode (JDK 11+; DynamoDB Local 3 itself needs 17):
//   java -Djava.library.path=LIB -cp "DynamoDBLocal.jar:LIB/*" DynamoDBLocalLauncher.java \
//        HOST PORT [DynamoDB Local options, e.g. -dbPath DIR -sharedDb | -inMemory]
// PORT 0 picks a free port. Once it accepts connections it prints one line:
//   DYNAMODB_LOCAL_READY host=127.0.0.1 port=NNNNN telemetry=off
// It exits when its standard input closes, so it never outlives the process that started it.

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.monitoring.Telemetry;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class DynamoDBLocalLauncher {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DynamoDBLocalLauncher HOST PORT [DynamoDB Local options]");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        List<String> options = new ArrayList<>(Arrays.asList(args).subList(2, args.length));
        // The option parser wants a port in 1..65535; the real one is set on the connector below.
        options.addAll(List.of("-port", "8000", "-disableTelemetry"));

        DynamoDBProxyServer proxy =
                ServerRunner.createServerFromCommandLineArgs(options.toArray(new String[0]));
        if (Telemetry.getTelemetry().isPresent()) {
            System.err.println("DynamoDBLocalLauncher: telemetry is configured; refusing to start");
            System.exit(3);
        }
        ServerConnector connector;
        try {
            connector = onlyConnector(jettyServer(proxy));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("DynamoDBLocalLauncher: this DynamoDB Local is not built the way"
                    + " the launcher expects (a Jetty Server with one ServerConnector in"
                    + " DynamoDBProxyServer's field \"server\"), so it cannot be bound to " + host
                    + " alone: " + e);
            System.exit(4);
            return;
        }
        connector.setHost(host);
        connector.setPort(port);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(proxy)));
        proxy.safeStart();
        System.out.println("DYNAMODB_LOCAL_READY host=" + connector.getHost()
                + " port=" + connector.getLocalPort() + " telemetry=off");
        System.out.flush();

        waitForStdinToClose();
        System.exit(0);  // runs the shutdown hook: stops Jetty and closes the database
    }

    private static Server jettyServer(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        return (Server) field.get(proxy);
    }

    private static ServerConnector onlyConnector(Server server) {
        Connector[] connectors = server.getConnectors();
        if (connectors.length != 1 || !(connectors[0] instanceof ServerConnector)) {
            throw new IllegalStateException(
                    "expected one ServerConnector, found " + Arrays.toString(connectors));
        }
        return (ServerConnector) connectors[0];
    }

    private static void waitForStdinToClose() {
        byte[] buffer = new byte[256];
        try {
            while (System.in.read(buffer) != -1) {
                // Input is ignored; only its end matters.
            }
        } catch (IOException e) {
            // A broken pipe means the parent is gone too.
        }
    }

    private static void stopQuietly(DynamoDBProxyServer proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            System.err.println("DynamoDBLocalLauncher: stop failed: " + e);
        }
    }
}
