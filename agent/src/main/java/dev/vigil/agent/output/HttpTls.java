package dev.vigil.agent.output;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * falco.yaml's http_output TLS settings as an {@link SSLContext}: {@code insecure} (no verification),
 * {@code ca_cert} / {@code ca_bundle} (PEM files) or {@code ca_path} (a directory of PEM files) as the trusted
 * CAs (else the JVM's), {@code mtls} with {@code client_cert} and {@code client_key} (PEM; PKCS#8 or PKCS#1 RSA).
 */
public record HttpTls(boolean insecure, String caCert, String caBundle, String caPath, boolean mtls, String clientCert,
                      String clientKey) {
    /** Falco's defaults: verify against the system's CAs, no client certificate. */
    public static final HttpTls DEFAULT = new HttpTls(false, "", "", "/etc/ssl/certs", false, "", "");
    private static final String DEFAULT_CA_PATH = "/etc/ssl/certs";

    /** The context (tests: a client that trusts a test CA). */
    public SSLContext contextForTests() { return context(); }

    /** The context, or null for the JVM's default. Problems name the key and the file. */
    SSLContext context() {
        if (!insecure && caCert.isBlank() && caBundle.isBlank() && (caPath.isBlank() || caPath.equals(DEFAULT_CA_PATH)) && !mtls) {
            return null;
        }
        try {
            TrustManager[] tms = insecure ? new TrustManager[] {TRUST_ALL} : trustManagers();
            javax.net.ssl.KeyManager[] kms = null;
            if (mtls) {
                List<Certificate> chain = certs(Path.of(clientCert), "http_output.client_cert");
                PrivateKey key = key(Path.of(clientKey));
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("client", key, new char[0], chain.toArray(Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
                kms = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kms, tms, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("http_output: TLS: " + e.getMessage());
        }
    }

    /**
     * A server context from one PEM file holding a private key and its certificate chain (Falco's
     * webserver.ssl_certificate). Problems name the key and the file.
     */
    public static SSLContext serverContext(Path pem) {
        try {
            if (!Files.isReadable(pem)) throw new IOException("cannot read " + pem);
            String text = Files.readString(pem, StandardCharsets.US_ASCII);
            List<Certificate> chain = new ArrayList<>();
            var m = java.util.regex.Pattern.compile("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----").matcher(text);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            while (m.find()) chain.add(cf.generateCertificate(new java.io.ByteArrayInputStream(m.group().getBytes(StandardCharsets.US_ASCII))));
            if (chain.isEmpty()) throw new IOException(pem + " holds no certificate");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key(text, pem), new char[0], chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("webserver.ssl_certificate: " + e.getMessage());
        }
    }

    private TrustManager[] trustManagers() throws GeneralSecurityException, IOException {
        List<Certificate> cas = new ArrayList<>();
        if (!caCert.isBlank()) cas.addAll(certs(Path.of(caCert), "http_output.ca_cert"));
        if (!caBundle.isBlank()) cas.addAll(certs(Path.of(caBundle), "http_output.ca_bundle"));
        if (cas.isEmpty() && !caPath.isBlank() && !caPath.equals(DEFAULT_CA_PATH)) {
            Path dir = Path.of(caPath);
            if (!Files.isDirectory(dir)) throw new IOException("http_output.ca_path: " + dir + " is not a directory");
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) {
                    if (Files.isRegularFile(p)) {
                        try {
                            cas.addAll(certs(p, "http_output.ca_path"));
                        } catch (IOException | GeneralSecurityException e) {
                            // not a certificate: a CA directory also holds other files
                        }
                    }
                }
            }
        }
        if (cas.isEmpty()) {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            return tmf.getTrustManagers();
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        for (int i = 0; i < cas.size(); i++) ts.setCertificateEntry("ca" + i, cas.get(i));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    private static List<Certificate> certs(Path p, String key) throws IOException, GeneralSecurityException {
        if (!Files.isReadable(p)) throw new IOException(key + ": cannot read " + p);
        try (InputStream in = Files.newInputStream(p)) {
            List<Certificate> out = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (out.isEmpty()) throw new IOException(key + ": no certificate in " + p);
            return out;
        }
    }

    /** A PEM private key: PKCS#8 (BEGIN PRIVATE KEY) of RSA, EC or Ed25519, or PKCS#1 (BEGIN RSA PRIVATE KEY). */
    static PrivateKey key(Path p) throws IOException, GeneralSecurityException {
        if (!Files.isReadable(p)) throw new IOException("http_output.client_key: cannot read " + p);
        return key(Files.readString(p, StandardCharsets.US_ASCII), p);
    }

    private static PrivateKey key(String pem, Path p) throws IOException, GeneralSecurityException {
        boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
        if (!pkcs1 && !pem.contains("BEGIN PRIVATE KEY")) {
            throw new IOException("http_output.client_key: " + p + " is not a PEM PKCS#8 or PKCS#1 RSA key "
                    + "(convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        var block = java.util.regex.Pattern.compile("-----BEGIN (RSA )?PRIVATE KEY-----([^-]+)-----END").matcher(pem);
        if (!block.find()) throw new IOException(p + ": no private key block");
        String b64 = block.group(2).replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        if (pkcs1) der = pkcs1ToPkcs8(der);
        for (String alg : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // next algorithm
            }
        }
        throw new IOException("http_output.client_key: " + p + ": unsupported key algorithm");
    }

    /** Wraps a PKCS#1 RSAPrivateKey in PKCS#8's PrivateKeyInfo (version 0, rsaEncryption, the key as an octet string). */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algId = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algId);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int n) {
        if (n < 0x80) return new byte[] {(byte) n};
        if (n < 0x100) return new byte[] {(byte) 0x81, (byte) n};
        if (n < 0x10000) return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    /** http_output.insecure: accepts any server certificate and host name (as curl -k). */
    private static final X509ExtendedTrustManager TRUST_ALL = new X509ExtendedTrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) { }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) { }
        @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    };
}
