/**
 * A certificate authority of the lab's own and the server certificates it
 * issues, so the mock Okta can be served over HTTPS to an agent that trusts
 * only what it is told to (NODE_EXTRA_CA_CERTS for a Node agent, a Java trust
 * store for Okta's). Built with node-forge (X.509 and its extensions); the
 * RSA keys come from node:crypto, which is much faster than forge's own.
 *
 * Why a library rather than `openssl`: no external binary or temporary files
 * per start, the same code on every machine, and the certificate's contents
 * (SANs, key usages) are readable in one place.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { CodedError } from '../../agent/src/errors.ts';

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface CertOptions {
  /** Validity starts a day before `now` (hosts whose clocks lag) and lasts `validDays`. */
  now?: number;
  validDays?: number;
}

const DAY_MS = 86_400_000;

function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

function validity(cert: forge.pki.Certificate, opts: CertOptions, defaultDays: number): void {
  const now = opts.now ?? Date.now();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + (opts.validDays ?? defaultDays) * DAY_MS);
  // Positive 16-byte serial (RFC 5280 §4.1.2.2: at most 20 octets, unique per CA).
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
}

/** A new self-signed CA (10 years by default) that may sign server certificates only (pathLen 0). */
export function createCa(commonName = 'radius-mfa-harness lab CA', opts: CertOptions = {}): PemPair {
  const keys = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  validity(cert, opts, 3650);
  const name = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'radius-mfa-harness' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/**
 * A server certificate for `hosts` (DNS names and IP addresses, v4 or v6)
 * signed by `ca`; 397 days by default (what browsers accept at most).
 */
export function issueServerCert(ca: PemPair, hosts: readonly string[], opts: CertOptions = {}): PemPair {
  if (hosts.length === 0) throw new CodedError('TLS_NO_HOSTS', 'A server certificate needs at least one host name or address; give the names the agent connects to.');
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  validity(cert, opts, 397);
  cert.setSubject([{ name: 'commonName', value: hosts[0]! }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [...new Set(hosts)].map((h) => (isIP(stripBrackets(h)) ? { type: 7, ip: stripBrackets(h) } : { type: 2, value: h }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * The CA kept in `dir` (ca.pem + ca-key.pem): read when both are there and
 * the certificate is a CA still valid for a day, created and written (key
 * 0600) otherwise — so an agent told to trust `dir/ca.pem` keeps trusting a
 * lab restarted with the same folder.
 */
export async function loadOrCreateCa(dir: string, opts: CertOptions = {}): Promise<PemPair & { caFile: string; created: boolean }> {
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  try {
    const [certPem, keyPem] = await Promise.all([readFile(caFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const x = new X509Certificate(certPem);
    const soon = (opts.now ?? Date.now()) + DAY_MS;
    if (x.ca && Date.parse(x.validTo) > soon) return { certPem, keyPem, caFile, created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CodedError('TLS_CA_UNREADABLE', `The CA in ${dir} cannot be used (${(e as Error).message}); remove ca.pem and ca-key.pem there to make a new one.`, { dir });
    }
  }
  const ca = createCa(undefined, opts);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, ca.keyPem, { mode: 0o600 });
  await writeFile(caFile, ca.certPem, { mode: 0o644 });
  return { ...ca, caFile, created: true };
}

/**
 * Names a client may use for a server listening on `host`: loopback always;
 * the bind address; for a wildcard bind (0.0.0.0 / ::) every address of this
 * machine's interfaces; plus `extra` (e.g. a DNS name an agent on another host uses).
 */
export function serverNames(host: string, extra: readonly string[] = []): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1', ...extra];
  if (host === '0.0.0.0' || host === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) hosts.push(a.address.split('%')[0]!);
  } else {
    hosts.push(host);
  }
  return [...new Set(hosts)];
}
