import type { KeyValueStore } from "@drso/core";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from "jose";

export const SIGNING_ALGORITHM = "RS256";
/** The kv key under which the local identity keeps its signing key. */
export const DEFAULT_SIGNING_KEY_NAME = "identity/signing-key/rs256";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public half as a JWK with kid, alg and use, ready for a JWKS. */
  publicJwk: JWK;
}

export interface SigningKeys {
  /** The key tokens are signed with; generated and stored on first use. */
  current(): Promise<SigningKey>;
  /** The public key(s) as a JSON Web Key Set. */
  jwks(): Promise<{ keys: JWK[] }>;
}

interface StoredSigningKey {
  format: 1;
  kid: string;
  privateJwk: JWK;
}

async function generate(): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { modulusLength: 2048, extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicPart(privateJwk));
  return { format: 1, kid, privateJwk };
}

function publicPart(jwk: JWK): JWK {
  if (jwk.kty !== "RSA" || !jwk.n || !jwk.e) throw new Error("The stored signing key is not an RSA key.");
  return { kty: "RSA", n: jwk.n, e: jwk.e };
}

function parseStored(value: string): StoredSigningKey {
  const stored = JSON.parse(value) as Partial<StoredSigningKey>;
  if (stored.format !== 1 || typeof stored.kid !== "string" || !stored.privateJwk) {
    throw new Error("The stored signing key has an unknown format.");
  }
  return stored as StoredSigningKey;
}

/**
 * An RS256 key pair kept in the store's key-value table. The first process to need it generates one and
 * offers it with putIfAbsent; whoever loses that race uses the winner's key, so every process signs with,
 * and accepts, the same key. The `kid` is the key's RFC 7638 thumbprint.
 *
 * The private key sits in the store in clear (as the SQLite file's permissions protect the rest of the
 * local data); on AWS, Cognito holds the keys and this module is not used.
 */
export function createSigningKeys(
  kv: KeyValueStore,
  keyName: string = DEFAULT_SIGNING_KEY_NAME,
): SigningKeys {
  let loading: Promise<SigningKey> | undefined;

  async function load(): Promise<SigningKey> {
    let value = await kv.get(keyName);
    if (value === undefined) value = await kv.putIfAbsent(keyName, JSON.stringify(await generate()));
    const stored = parseStored(value);
    const publicJwk: JWK = {
      ...publicPart(stored.privateJwk),
      kid: stored.kid,
      alg: SIGNING_ALGORITHM,
      use: "sig",
    };
    const privateKey = (await importJWK(stored.privateJwk, SIGNING_ALGORITHM)) as CryptoKey;
    const publicKey = (await importJWK(publicPart(stored.privateJwk), SIGNING_ALGORITHM)) as CryptoKey;
    return { kid: stored.kid, privateKey, publicKey, publicJwk };
  }

  function current(): Promise<SigningKey> {
    if (!loading) {
      loading = load().catch((err: unknown) => {
        loading = undefined;
        throw err;
      });
    }
    return loading;
  }

  return {
    current,
    async jwks() {
      const key = await current();
      return { keys: [{ ...key.publicJwk }] };
    },
  };
}
