import { type AuditEvent, auditEventOf } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { Clock, RandomSource } from "./clock.js";
import { LatchkeyError } from "./errors.js";
import { newId } from "./ids.js";
import type { SealedSecret, VaultSecret, WrappedDataKey } from "./model.js";
import { holds } from "./permissions.js";
import type { Page, PageRequest, Store, VaultWrite } from "./ports.js";
import type { NewOrgSealer } from "./publishable-keys.js";
import {
  masterKeyCheck,
  matchesMasterKeyCheck,
  open,
  packSealed,
  seal,
  secretAad,
  unpackSealed,
  unwrapDataKey,
  VAULT_KEY_BYTES,
  wrapDataKey,
} from "./vault-crypto.js";
import type { Actor } from "./verifier.js";

/** A secret's name: 1–128 characters, letters, digits and `_ . - /`, starting with a letter or digit. */
export const SECRET_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_./-]{0,127}$";

/** The largest secret value: 32 KiB of UTF-8. */
export const MAX_SECRET_VALUE_BYTES = 32 * 1024;

const secretNameRegex = new RegExp(SECRET_NAME_PATTERN);

/** Checks a secret's name; throws VALIDATION_FAILED pointing at `pointer`. */
export function checkSecretName(name: string, pointer = "/data/attributes/name"): string {
  if (!secretNameRegex.test(name)) {
    throw new LatchkeyError(
      "VALIDATION_FAILED",
      "A secret's name is 1 to 128 letters, digits and _ . - /, starting with a letter or digit.",
      { pointer },
    );
  }
  return name;
}

function checkSecretValue(value: string): string {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes === 0 || bytes > MAX_SECRET_VALUE_BYTES) {
    throw new LatchkeyError("VALIDATION_FAILED", `A secret's value is 1 to ${MAX_SECRET_VALUE_BYTES} bytes of UTF-8.`, {
      pointer: "/data/attributes/value",
    });
  }
  return value;
}

/** What a caller gives to store a secret. */
export interface CreateSecretInput {
  name: string;
  value: string;
}

/** A secret with its value: the answer to a reveal, the only way a value leaves the vault. */
export interface RevealedSecret {
  secret: VaultSecret;
  value: string;
}

/** The first data-key version of an org. */
const FIRST_DATA_KEY_VERSION = 1;

function vaultUnavailable(): LatchkeyError {
  return new LatchkeyError(
    "SERVICE_UNAVAILABLE",
    "The vault cannot open this org's data key: the node's master key is not the database's. Restart it with the current LATCHKEY_MASTER_KEY.",
  );
}

/**
 * The vault: named secrets per org, sealed under the org's data key, which the master key wraps.
 * Listing and reading metadata need `secrets:list` (or `secrets:read`); a value needs `secrets:read`
 * and every value read is an audit event (`secret.read`) written before the value is returned;
 * storing and deleting need `secrets:write`. Values never appear in events, errors or logs.
 */
export class VaultService {
  private readonly masterKey: Uint8Array;
  /** Opened data keys, by `org|version`. */
  private readonly dataKeys = new Map<string, Uint8Array>();

  constructor(
    private readonly store: Pick<Store, "vault">,
    masterKey: Uint8Array,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {
    if (masterKey.length !== VAULT_KEY_BYTES) throw new Error("the master key must be 32 bytes");
    this.masterKey = new Uint8Array(masterKey);
  }

  /**
   * Checks the master key against the database: stores a check value on the first start, and on every
   * later one tells whether this key opens it. False means the key is not the one the vault was made with.
   */
  async matchesDatabase(): Promise<boolean> {
    const stored = await this.store.vault.initMasterCheck(
      masterKeyCheck(this.masterKey, this.random),
      this.clock.now(),
    );
    return matchesMasterKeyCheck(this.masterKey, stored);
  }

  /** The org's secrets, newest first, without values. */
  async list(actor: Actor, orgId: string, page: PageRequest): Promise<Page<VaultSecret>> {
    requireOrg(actor, orgId);
    requireMetadataAccess(actor);
    return this.store.vault.list(actor.orgId, page);
  }

  /** One secret's metadata. */
  async get(actor: Actor, orgId: string, id: string): Promise<VaultSecret> {
    requireOrg(actor, orgId);
    requireMetadataAccess(actor);
    const secret = await this.store.vault.get(actor.orgId, id.toLowerCase());
    if (secret === null) throw notFound();
    return secret;
  }

  /** One secret with its value. Needs `secrets:read`; the read is audited before the value is returned. */
  async reveal(actor: Actor, orgId: string, id: string): Promise<RevealedSecret> {
    requireOrg(actor, orgId);
    requirePermission(actor, "secrets:read");
    const sealed = await this.store.vault.reveal(actor.orgId, id.toLowerCase(), (secret) =>
      this.audit(actor, secret, "secret.read", {}),
    );
    if (sealed === null) throw notFound();
    const key = await this.openDataKey(sealed.orgId, sealed.keyVersion);
    if (key === null) throw vaultUnavailable();
    const plain = open(key, sealed.sealed, secretAad(sealed.orgId, sealed.id, sealed.name));
    if (plain === null) {
      throw new LatchkeyError("CONFLICT", "The secret's stored value does not decrypt: it was altered or moved.");
    }
    return { secret: metadataOf(sealed), value: Buffer.from(plain).toString("utf8") };
  }

  /** Stores a secret. Needs `secrets:write`; a name the org already uses is a CONFLICT. */
  async create(actor: Actor, orgId: string, input: CreateSecretInput): Promise<VaultSecret> {
    requireOrg(actor, orgId);
    const write = await this.prepare(actor, input.name, input.value, {});
    await this.store.vault.create(write);
    return metadataOf(write.secret);
  }

  /** Deletes a secret: its sealed value is removed; its audit events stay. Needs `secrets:write`. */
  async delete(actor: Actor, orgId: string, id: string): Promise<void> {
    requireOrg(actor, orgId);
    requirePermission(actor, "secrets:write");
    const deleted = await this.store.vault.delete(actor.orgId, id.toLowerCase(), (secret) =>
      this.audit(actor, secret, "secret.deleted", {}),
    );
    if (deleted === null) throw notFound();
  }

  /**
   * Seals a value as a new secret of the actor's org, with its `secret.created` event, for a store
   * write that also does something else (a key creation saving its key into the vault). Needs
   * `secrets:write`. `detail` goes into the event (never the value).
   */
  async prepare(actor: Actor, name: string, value: string, detail: Record<string, unknown>): Promise<VaultWrite> {
    requirePermission(actor, "secrets:write");
    checkSecretName(name);
    checkSecretValue(value);
    const dataKey = await this.dataKeyOf(actor.orgId);
    const now = this.clock.now();
    const id = newId(this.clock, this.random);
    const secret: SealedSecret = {
      id,
      orgId: actor.orgId,
      name,
      createdAt: now,
      updatedAt: now,
      createdBy: actor.principal,
      keyVersion: dataKey.version,
      sealed: seal(dataKey.key, Buffer.from(value, "utf8"), secretAad(actor.orgId, id, name), this.random),
    };
    return { secret, audit: this.audit(actor, secret, "secret.created", detail) };
  }

  /**
   * Seals a value Latchkey itself keeps for an org (a webhook signing secret) under the org's data
   * key, bound to `aad`: one text, `<data key version>.v1.<nonce>.<ciphertext>.<tag>`. Master-key
   * rotation re-wraps the data key, so such values stay readable, like the vault's secrets.
   */
  async sealForOrg(orgId: string, value: string, aad: string): Promise<string> {
    const dataKey = await this.dataKeyOf(orgId);
    return `${dataKey.version}.${packSealed(seal(dataKey.key, Buffer.from(value, "utf8"), aad, this.random))}`;
  }

  /**
   * A data key for an org being created (nothing is stored: the org's creation stores `dataKey` in its
   * own transaction, after the org row) and a sealer under it that seals like `sealForOrg`.
   */
  sealerForNewOrg(orgId: string): NewOrgSealer {
    const fresh = this.random.bytes(VAULT_KEY_BYTES);
    const dataKey: WrappedDataKey = {
      orgId,
      version: FIRST_DATA_KEY_VERSION,
      wrapped: wrapDataKey(this.masterKey, fresh, orgId, FIRST_DATA_KEY_VERSION, this.random),
      createdAt: this.clock.now(),
    };
    return {
      dataKey,
      seal: (value, aad) =>
        `${dataKey.version}.${packSealed(seal(fresh, Buffer.from(value, "utf8"), aad, this.random))}`,
    };
  }

  /** Opens what `sealForOrg` sealed with the same `aad`; throws when it does not open. */
  async openForOrg(orgId: string, sealedText: string, aad: string): Promise<string> {
    const dot = sealedText.indexOf(".");
    const version = Number(sealedText.slice(0, dot));
    const sealed = dot > 0 && Number.isInteger(version) ? unpackSealed(sealedText.slice(dot + 1)) : null;
    const key = sealed === null ? null : await this.openDataKey(orgId, version);
    const plain = key === null || sealed === null ? null : open(key, sealed, aad);
    if (plain === null) throw vaultUnavailable();
    return Buffer.from(plain).toString("utf8");
  }

  /**
   * An org's data key of `version`, unwrapped; null when the org has none of that version. Kept once
   * opened: a data key never changes (master-key rotation re-wraps it, with the nodes stopped).
   */
  private async openDataKey(orgId: string, version: number): Promise<Uint8Array | null> {
    const slot = `${orgId}|${version}`;
    const opened = this.dataKeys.get(slot);
    if (opened !== undefined) return opened;
    const stored = await this.store.vault.dataKey(orgId, version);
    if (stored === null) return null;
    const key = unwrapDataKey(this.masterKey, stored.wrapped, stored.orgId, stored.version);
    if (key === null) throw vaultUnavailable();
    this.dataKeys.set(slot, key);
    return key;
  }

  /** The org's data key to seal with: the stored one, or (the org's first seal) a new one stored now. */
  private async dataKeyOf(orgId: string): Promise<{ version: number; key: Uint8Array }> {
    const existing = await this.openDataKey(orgId, FIRST_DATA_KEY_VERSION);
    if (existing !== null) return { version: FIRST_DATA_KEY_VERSION, key: existing };
    const fresh = this.random.bytes(VAULT_KEY_BYTES);
    const candidate: WrappedDataKey = {
      orgId,
      version: FIRST_DATA_KEY_VERSION,
      wrapped: wrapDataKey(this.masterKey, fresh, orgId, FIRST_DATA_KEY_VERSION, this.random),
      createdAt: this.clock.now(),
    };
    // Racing first seals of one org all end with the data key that was stored first.
    const stored = await this.store.vault.ensureDataKey(candidate);
    const key = await this.openDataKey(stored.orgId, stored.version);
    if (key === null) throw vaultUnavailable();
    return { version: stored.version, key };
  }

  private audit(actor: Actor, secret: VaultSecret, action: string, detail: Record<string, unknown>): AuditEvent {
    return auditEventOf(
      actor,
      secret.orgId,
      action,
      { type: "secret", id: secret.id },
      { id: newId(this.clock, this.random), at: this.clock.now(), detail: { name: secret.name, ...detail } },
    );
  }
}

/** The outcome of a master-key rotation. */
export interface MasterKeyRotation {
  /** How many data keys were re-wrapped. */
  dataKeys: number;
  /** How many orgs they belong to (each got a `vault.master_key_rotated` event). */
  orgs: number;
}

/**
 * Replaces the vault's master key: opens every data key with `oldKey`, wraps it again under `newKey`,
 * and writes them with the new check value in one transaction. Secrets are not read or written. Throws
 * a LatchkeyError (FORBIDDEN) when `oldKey` is not the database's key, leaving everything as it was.
 */
export async function rotateMasterKey(
  store: Pick<Store, "vault">,
  oldKey: Uint8Array,
  newKey: Uint8Array,
  clock: Clock,
  random: RandomSource,
): Promise<MasterKeyRotation> {
  if (oldKey.length !== VAULT_KEY_BYTES || newKey.length !== VAULT_KEY_BYTES) {
    throw new Error("master keys must be 32 bytes");
  }
  if (Buffer.from(oldKey).equals(Buffer.from(newKey))) {
    throw new LatchkeyError("VALIDATION_FAILED", "The new master key is the same as the current one.");
  }
  const check = await store.vault.initMasterCheck(masterKeyCheck(oldKey, random), clock.now());
  if (!matchesMasterKeyCheck(oldKey, check)) {
    throw new LatchkeyError("FORBIDDEN", "The current master key does not open this database's vault.");
  }
  const keys = await store.vault.listDataKeys();
  const rewrapped = keys.map((dataKey) => {
    const plain = unwrapDataKey(oldKey, dataKey.wrapped, dataKey.orgId, dataKey.version);
    if (plain === null) {
      throw new LatchkeyError("CONFLICT", `The data key ${dataKey.version} of org ${dataKey.orgId} does not open.`);
    }
    return { ...dataKey, wrapped: wrapDataKey(newKey, plain, dataKey.orgId, dataKey.version, random) };
  });
  const orgs = [...new Set(keys.map((key) => key.orgId))];
  const now = clock.now();
  const events: AuditEvent[] = orgs.map((orgId) => ({
    id: newId(clock, random),
    orgId,
    actor: { type: "system", id: "latchkey" },
    action: "vault.master_key_rotated",
    target: { type: "org", id: orgId },
    createdAt: now,
    ip: null,
    requestId: null,
    detail: { data_keys: keys.filter((key) => key.orgId === orgId).length },
  }));
  await store.vault.replaceMasterKey(check, masterKeyCheck(newKey, random), rewrapped, events, now);
  return { dataKeys: rewrapped.length, orgs: orgs.length };
}

function requireMetadataAccess(actor: Actor): void {
  if (!holds(actor.grants, "secrets:list") && !holds(actor.grants, "secrets:read")) {
    requirePermission(actor, "secrets:list");
  }
}

function notFound(): LatchkeyError {
  return new LatchkeyError("NOT_FOUND", "No such secret.", { parameter: "id" });
}

function metadataOf(secret: VaultSecret): VaultSecret {
  return {
    id: secret.id,
    orgId: secret.orgId,
    name: secret.name,
    createdAt: secret.createdAt,
    updatedAt: secret.updatedAt,
    createdBy: secret.createdBy,
  };
}
