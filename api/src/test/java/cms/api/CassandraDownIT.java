package cms.api;

import cms.stack.LocalStackAddresses;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API while Cassandra is unreachable, and after: the application reaches the stack's real Cassandra through a
 * TCP relay of the test's own, which the test takes down (every connection closed, new ones refused, as when the
 * node dies) and brings back. Meanwhile a query answers 503 with the JSON error body and a Retry-After, and the
 * cassandra health check is red; afterwards the same query answers 200 again without anything restarted.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class CassandraDownIT {
    private static final LocalStackAddresses STACK = LocalStackAddresses.fromEnvironment();
    private static final Relay RELAY = new Relay(STACK.host(), STACK.cassandraPort());
    static final DropwizardAppExtension<ApiConfiguration> APP = new DropwizardAppExtension<>(ApiApplication.class,
            ResourceHelpers.resourceFilePath("it-config.yml"),
            ConfigOverride.config("cassandra.contactPoints", "127.0.0.1:" + RELAY.port()));

    @AfterAll
    static void stopRelay() {
        RELAY.down();
    }

    @Test
    void aQueryAnswers503WithAJsonBodyWhileCassandraIsDownAndRecoversByItself() throws Exception {
        assertThat(period().getStatus()).as("with Cassandra up").isEqualTo(200);

        RELAY.down();
        long down = System.nanoTime();
        Response unavailable = awaitStatus(503, Duration.ofSeconds(60));
        assertThat(unavailable.getHeaderString("Retry-After")).isEqualTo("5");
        assertThat(unavailable.getMediaType().toString()).startsWith("application/json");
        String body = unavailable.readEntity(String.class);
        assertThat(body).contains("\"code\":503").contains("Cassandra").contains("unavailable");
        Response health = APP.client().target("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck").request().get();
        assertThat(health.readEntity(String.class)).contains("\"cassandra\":{\"healthy\":false");

        RELAY.up();
        long up = System.nanoTime();
        awaitStatus(200, Duration.ofSeconds(60));
        System.out.println(String.format("Cassandra unreachable for %.1f s (503 throughout the check); 200 again %.1f s after it came back",
                (up - down) / 1e9, (System.nanoTime() - up) / 1e9));
    }

    private static Response awaitStatus(int status, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Response r = period();
            if (r.getStatus() == status || System.nanoTime() > deadline) {
                assertThat(r.getStatus()).as("status within " + within).isEqualTo(status);
                return r;
            }
            r.close();
            Thread.sleep(250);
        }
    }

    private static Response period() {
        String token = APP.getConfiguration().getAuth().localIssuer().mint("admin", Duration.ofMinutes(10));
        return APP.client().target("http://127.0.0.1:" + APP.getLocalPort()).path("/v1/periods/2026-01").request()
                .header("Authorization", "Bearer " + token)
                .property(org.glassfish.jersey.client.ClientProperties.READ_TIMEOUT, 30_000).get();
    }

    /** Relays connections on a fixed loopback port to a target; down() closes them all and stops listening, up() listens again. */
    static final class Relay {
        private final String host;
        private final int targetPort;
        private final int port;
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private volatile ServerSocket server;

        Relay(String host, int targetPort) {
            this.host = host;
            this.targetPort = targetPort;
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                this.port = probe.getLocalPort();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            up();
        }

        int port() {
            return port;
        }

        synchronized void up() {
            try {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                server = s;
                Thread accept = new Thread(() -> accept(s), "relay-accept");
                accept.setDaemon(true);
                accept.start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        synchronized void down() {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (IOException ignored) {
                // closing
            }
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
            open.clear();
        }

        private void accept(ServerSocket s) {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket target = new Socket(host, targetPort);
                    open.add(client);
                    open.add(target);
                    pipe(client, target);
                    pipe(target, client);
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void pipe(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException closed) {
                    // one side went away
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }, "relay-pipe");
            t.setDaemon(true);
            t.start();
        }
    }
}
