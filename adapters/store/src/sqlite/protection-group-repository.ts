import type { ProtectionGroup, ProtectionGroupRepository } from "@drso/core";
import { decodeCursor, encodeCursor, type KeyPart, pageLimit, queryHash } from "../paging.js";
import {
  alreadyExists,
  claimedServers,
  nameTaken,
  notFound,
  serverAssigned,
  versionMismatch,
} from "../store-errors.js";
import { asyncify, type Db, keysetCondition, parseJson, statementCache } from "./database.js";

export function createSqliteProtectionGroups(db: Db): ProtectionGroupRepository {
  const s = {
    get: db.prepare("SELECT data FROM protection_groups WHERE group_id = ?").pluck(),
    byName: db.prepare("SELECT data FROM protection_groups WHERE name_lower = ?").pluck(),
    version: db.prepare("SELECT version FROM protection_groups WHERE group_id = ?").pluck(),
    idByName: db.prepare("SELECT group_id FROM protection_groups WHERE name_lower = ?").pluck(),
    all: db.prepare("SELECT data FROM protection_groups ORDER BY name_lower, group_id").pluck(),
    insert: db.prepare(
      `INSERT INTO protection_groups (group_id, name_lower, account_id, region, version, data)
       VALUES (@groupId, @nameLower, @accountId, @region, @version, @data)`,
    ),
    update: db.prepare(
      `UPDATE protection_groups
       SET name_lower = @nameLower, account_id = @accountId, region = @region, version = @version, data = @data
       WHERE group_id = @groupId`,
    ),
    delete: db.prepare("DELETE FROM protection_groups WHERE group_id = ?"),
    // The first of the group's servers (in its own order) that another group already holds. CROSS JOIN fixes
    // the join order: walk the group's servers and probe the claims' primary key for each, never the reverse.
    claimConflict: db.prepare(
      `SELECT c.source_server_id AS sourceServerId, g.group_id AS groupId,
              json_extract(g.data, '$.name') AS groupName
       FROM json_each(@servers) AS j
       CROSS JOIN protection_group_servers AS c
         ON c.account_id = @accountId AND c.region = @region AND c.source_server_id = j.value
       CROSS JOIN protection_groups AS g ON g.group_id = c.group_id
       WHERE c.group_id <> @groupId
       ORDER BY j.key
       LIMIT 1`,
    ),
    releaseClaims: db.prepare("DELETE FROM protection_group_servers WHERE group_id = ?"),
    claim: db.prepare(
      `INSERT INTO protection_group_servers (account_id, region, source_server_id, group_id)
       SELECT @accountId, @region, j.value, @groupId FROM json_each(@servers) AS j`,
    ),
  };
  const query = statementCache(db);

  const checkUnique = (group: ProtectionGroup, servers: string[]) => {
    const sameName = s.idByName.get(group.name.toLowerCase()) as string | undefined;
    if (sameName !== undefined && sameName !== group.groupId) {
      throw nameTaken("protection-group", group.name, sameName);
    }
    if (servers.length === 0) return;
    const conflict = s.claimConflict.get({
      servers: JSON.stringify(servers),
      accountId: group.accountId,
      region: group.region,
      groupId: group.groupId,
    }) as { sourceServerId: string; groupId: string; groupName: string } | undefined;
    if (conflict) throw serverAssigned(conflict.sourceServerId, conflict.groupId, conflict.groupName);
  };

  const row = (group: ProtectionGroup, version: number) => ({
    groupId: group.groupId,
    nameLower: group.name.toLowerCase(),
    accountId: group.accountId,
    region: group.region,
    version,
    data: JSON.stringify({ ...group, version } satisfies ProtectionGroup),
  });

  const claim = (group: ProtectionGroup, servers: string[]) => {
    s.releaseClaims.run(group.groupId);
    if (servers.length > 0) {
      s.claim.run({
        accountId: group.accountId,
        region: group.region,
        groupId: group.groupId,
        servers: JSON.stringify(servers),
      });
    }
  };

  const create = db.transaction((group: ProtectionGroup): ProtectionGroup => {
    if (s.version.get(group.groupId) !== undefined) throw alreadyExists("protection-group", group.groupId);
    const servers = claimedServers(group);
    checkUnique(group, servers);
    const params = row(group, 1);
    s.insert.run(params);
    claim(group, servers);
    return parseJson<ProtectionGroup>(params.data);
  });

  const update = db.transaction((group: ProtectionGroup, expectedVersion: number): ProtectionGroup => {
    const current = s.version.get(group.groupId) as number | undefined;
    if (current === undefined) throw notFound("protection-group", group.groupId);
    if (current !== expectedVersion) {
      throw versionMismatch("protection-group", group.groupId, expectedVersion, current);
    }
    const servers = claimedServers(group);
    checkUnique(group, servers);
    const params = row(group, expectedVersion + 1);
    s.update.run(params);
    claim(group, servers);
    return parseJson<ProtectionGroup>(params.data);
  });

  const remove = db.transaction((groupId: string, expectedVersion: number | undefined) => {
    const current = s.version.get(groupId) as number | undefined;
    if (current === undefined) throw notFound("protection-group", groupId);
    if (expectedVersion !== undefined && current !== expectedVersion) {
      throw versionMismatch("protection-group", groupId, expectedVersion, current);
    }
    s.releaseClaims.run(groupId);
    s.delete.run(groupId);
  });

  return asyncify<ProtectionGroupRepository>({
    get(groupId) {
      const data = s.get.get(groupId);
      return data === undefined ? undefined : parseJson<ProtectionGroup>(data);
    },
    findByName(name) {
      const data = s.byName.get(name.toLowerCase());
      return data === undefined ? undefined : parseJson<ProtectionGroup>(data);
    },
    list(filter, page) {
      const needle = filter.nameContains?.toLowerCase();
      const hash = queryHash("protection-groups", {
        accountId: filter.accountId,
        region: filter.region,
        nameContains: needle,
      });
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (filter.accountId !== undefined) {
        where.push("account_id = ?");
        params.push(filter.accountId);
      }
      if (filter.region !== undefined) {
        where.push("region = ?");
        params.push(filter.region);
      }
      if (needle !== undefined) {
        where.push("instr(name_lower, ?) > 0");
        params.push(needle);
      }
      if (page.nextToken !== undefined) {
        const after = decodeCursor(page.nextToken, hash, ["string", "string"]);
        const keyset = keysetCondition(["name_lower", "group_id"], ["asc", "asc"], after);
        where.push(keyset.sql);
        params.push(...keyset.params);
      }
      const limit = pageLimit(page);
      const rows = query(
        `SELECT data, name_lower AS nameLower, group_id AS groupId FROM protection_groups
         ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY name_lower, group_id LIMIT ?`,
      ).all(...params, limit + 1) as Array<{ data: string; nameLower: string; groupId: string }>;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const result: { items: ProtectionGroup[]; nextToken?: string } = {
        items: items.map((r) => parseJson<ProtectionGroup>(r.data)),
      };
      if (rows.length > limit && last) {
        result.nextToken = encodeCursor(hash, [last.nameLower, last.groupId] satisfies KeyPart[]);
      }
      return result;
    },
    listAll() {
      return (s.all.all() as string[]).map((d) => parseJson<ProtectionGroup>(d));
    },
    create(group) {
      return create.immediate(group);
    },
    update(group, expectedVersion) {
      return update.immediate(group, expectedVersion);
    },
    delete(groupId, expectedVersion) {
      remove.immediate(groupId, expectedVersion);
    },
  });
}
