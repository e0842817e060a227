package io.bosun.cli.http;

import io.bosun.cli.CliException;
import io.bosun.cli.config.Connection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The TLS side of a kubeconfig: trusted CAs, client certificates (PKCS#8 or PKCS#1 RSA keys), insecure mode. */
final class Tls {

  private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

  private Tls() {}

  /** An SSL context for {@code c}, or null when the JDK's defaults do (no CA, no client cert). */
  static SSLContext context(Connection c) {
    if (c.caData() == null && c.certData() == null && !c.insecure()) {
      return null;
    }
    try {
      TrustManager[] trust = null;
      if (c.insecure()) {
        trust = new TrustManager[] {new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        }};
      } else if (c.caData() != null) {
        KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
        ts.load(null, null);
        int i = 0;
        for (Certificate cert : certificates(c.caData())) {
          ts.setCertificateEntry("ca-" + i++, cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        trust = tmf.getTrustManagers();
      }
      javax.net.ssl.KeyManager[] keys = null;
      if (c.certData() != null && c.keyData() != null) {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "bosun".toCharArray();
        ks.setKeyEntry("client", privateKey(c.keyData()), pw, certificates(c.certData()).toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        keys = kmf.getKeyManagers();
      }
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(keys, trust, null);
      return ssl;
    } catch (GeneralSecurityException | java.io.IOException | IllegalArgumentException e) {
      throw new CliException("cannot set up TLS from " + c.source() + ": " + e.getMessage(), e);
    }
  }

  private static List<Certificate> certificates(String pem) throws GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<Certificate> certs = new ArrayList<>(cf.generateCertificates(
        new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
    if (certs.isEmpty()) {
      throw new GeneralSecurityException("no certificate in the PEM data");
    }
    return certs;
  }

  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      byte[] der = Base64.getMimeDecoder().decode(m.group(2).strip());
      switch (type) {
        case "PRIVATE KEY" -> {
          for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
              return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
              // try the next algorithm
            }
          }
          throw new GeneralSecurityException("unsupported PKCS#8 private key");
        }
        case "RSA PRIVATE KEY" -> {
          return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(der)));
        }
        default -> { }
      }
    }
    throw new GeneralSecurityException("no supported private key (PKCS#8 or RSA PKCS#1 PEM) in the client key data");
  }

  /** Wraps a PKCS#1 RSA key in a PKCS#8 structure, which the JDK reads. */
  private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(algorithm);
    body.writeBytes(der(0x04, pkcs1));
    return der(0x30, body.toByteArray());
  }

  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write((n >> 8) & 0xff);
      out.write(n & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
