/**
 * The problem store's changes, each one Lua script so that a version is made or deleted
 * whole, and a chunk is freed exactly when no version uses it. Contract headers as in
 * scripts.ts. Chunk keys are the prefix given and the chunk's SHA-256: the scripts make
 * them, so on Redis Cluster the prefix must carry the hash tag every codebox key does.
 */

/**
 * touchChunk: is the chunk stored? A chunk no version holds yet (an upload's) gets its
 * time-to-live raised to ARGV[1]; one a version holds has none and keeps it so.
 *   KEYS[1] chunk   ARGV[1] ttl seconds   → 1 stored, 0 not
 */
export const TOUCH_CHUNK = `
local ttl = redis.call('TTL', KEYS[1])
if ttl == -2 then return 0 end
if ttl >= 0 and ttl < tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1
`;

/**
 * putChunk: stores an upload's chunk until a version takes it, or for ARGV[2] seconds
 *   KEYS[1] chunk   ARGV[1] bytes, ARGV[2] ttl seconds   → 1 written, 0 already there
 */
export const PUT_CHUNK = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 1 end
local ttl = redis.call('TTL', KEYS[1])
if ttl >= 0 and ttl < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * commitVersion: a problem's next version, holding its chunks. Refused, naming them, when
 * a chunk is gone (its upload's time ran out, or a delete freed one an upload had found
 * stored): the caller sends the problem again. Refused too when it would take the owner's
 * stored bytes past their quota (two uploads at once each passed the check before it).
 *   KEYS[1] problem hash, KEYS[2] the owner's problem ids (set), KEYS[3] chunk references (hash),
 *   KEYS[4] the owner's stored bytes (a count)
 *   ARGV[1] chunk key prefix, ARGV[2] id, ARGV[3] definition JSON, ARGV[4] its digest,
 *   ARGV[5] the version's bytes, ARGV[6] the owner's quota (0: none), ARGV[7..] its distinct chunks
 *   → {version}, {0, missing chunk…}, or {-1, the owner's stored bytes}
 * The problem hash: next (the last version given), latest, and per version v:N (the
 * definition), h:N (its digest), c:N (its chunks, space-separated), b:N (its bytes).
 */
export const COMMIT_VERSION = `
local used = tonumber(redis.call('GET', KEYS[4]) or '0')
local quota = tonumber(ARGV[6])
if quota > 0 and used + tonumber(ARGV[5]) > quota then return {-1, used} end
local missing = {0}
for i = 7, #ARGV do
  if redis.call('EXISTS', ARGV[1] .. ARGV[i]) == 0 then table.insert(missing, ARGV[i]) end
end
if #missing > 1 then return missing end
local version = redis.call('HINCRBY', KEYS[1], 'next', 1)
local chunks = {}
for i = 7, #ARGV do
  table.insert(chunks, ARGV[i])
  redis.call('HINCRBY', KEYS[3], ARGV[i], 1)
  redis.call('PERSIST', ARGV[1] .. ARGV[i])
end
redis.call('HSET', KEYS[1], 'v:' .. version, ARGV[3], 'h:' .. version, ARGV[4], 'c:' .. version, table.concat(chunks, ' '), 'b:' .. version, ARGV[5], 'latest', version)
redis.call('INCRBY', KEYS[4], ARGV[5])
redis.call('SADD', KEYS[2], ARGV[2])
return {version}
`;

/**
 * deleteVersions: one version, or all of them; a chunk no version holds any more is
 * deleted. It works over Redis's maxmemory, where it is most needed: its first write is
 * an HDEL, which frees memory, and a script without flags is refused for memory only up to
 * its first write (scripts.ts FAIL_WITHOUT_RESULT has the same order for the same reason).
 *   KEYS[1] problem hash, KEYS[2] the owner's problem ids, KEYS[3] chunk references,
 *   KEYS[4] the owner's stored bytes
 *   ARGV[1] chunk key prefix, ARGV[2] id, ARGV[3] version, or '' for all
 *   → the versions deleted
 */
export const DELETE_VERSIONS = `
local versions = {}
if ARGV[3] == '' then
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(f, 1, 2) == 'v:' then table.insert(versions, tonumber(string.sub(f, 3))) end
  end
elseif redis.call('HEXISTS', KEYS[1], 'v:' .. ARGV[3]) == 1 then
  versions = {tonumber(ARGV[3])}
end
for _, v in ipairs(versions) do
  local chunks = redis.call('HGET', KEYS[1], 'c:' .. v) or ''
  local bytes = tonumber(redis.call('HGET', KEYS[1], 'b:' .. v) or '0')
  redis.call('HDEL', KEYS[1], 'v:' .. v, 'h:' .. v, 'c:' .. v, 'b:' .. v)
  if bytes > 0 and redis.call('DECRBY', KEYS[4], bytes) <= 0 then redis.call('DEL', KEYS[4]) end
  for c in string.gmatch(chunks, '%S+') do
    if redis.call('HINCRBY', KEYS[3], c, -1) <= 0 then
      redis.call('HDEL', KEYS[3], c)
      redis.call('DEL', ARGV[1] .. c)
    end
  end
end
local latest = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, 2) == 'v:' then latest = math.max(latest, tonumber(string.sub(f, 3))) end
end
if latest == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[2])
else
  redis.call('HSET', KEYS[1], 'latest', latest)
end
table.sort(versions)
return versions
`;

/**
 * discardChunks: an upload that failed takes back the chunks it wrote, but never one a
 * version holds (a concurrent upload's commit may have taken it since). A concurrent
 * upload that only found one of them stored is refused at its commit (chunks missing)
 * and sends again, as after a delete.
 *   KEYS[1] chunk references (hash)   ARGV[1] chunk key prefix, ARGV[2..] the chunks
 *   → how many were deleted
 */
export const DISCARD_CHUNKS = `
local n = 0
for i = 2, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then n = n + redis.call('DEL', ARGV[1] .. ARGV[i]) end
end
return n
`;
