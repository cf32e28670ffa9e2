/**
 * A session record's state changes, each one Lua script so that an API and a worker (or
 * two APIs) never both win: starting → ready → ended | lost. Contract headers as in
 * scripts.ts. The record and the owner's set carry the prefix given, and the scripts build
 * the keys of an owner's other sessions and of their workers from it: on Redis Cluster
 * the prefix's hash tag puts them all in one slot (as BullMQ's scripts do).
 */

/**
 * a session marked lost: its worker is gone. A helper inlined in the scripts below:
 * ARGV-free, it takes the record's key, the owner set's, the session id and Redis's now.
 */
const MARK_LOST = `
local function markLost(record, owners, id, nowMs)
  redis.call('HSET', record, 'status', 'lost', 'endReason', 'worker-lost', 'endedAtMs', nowMs)
  redis.call('ZREM', owners, id)
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * create: a new session's record (starting, on its first worker), if its owner has room
 *   KEYS[1] session hash, KEYS[2] the owner's zset of sessions
 *   ARGV[1] session id, ARGV[2] owner, ARGV[3] worker id, ARGV[4] the record's fields as
 *   JSON (an object of strings), ARGV[5] expiresAt (ms), ARGV[6] the most sessions an owner
 *   may hold, ARGV[7] TTL of a starting record (s), ARGV[8] the key prefix
 *   → 'created' | 'exists' | 'limit'
 * Before counting, the owner's set loses what no longer holds a box: members past their
 * expiry, whose record is gone or no longer starting or ready, or whose worker's record
 * has expired (those are marked lost).
 */
export const SESSION_CREATE = `${MARK_LOST}
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local now = nowMs()
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local record = ARGV[8] .. ':session:{' .. id .. '}'
  local st = redis.call('HMGET', record, 'status', 'worker')
  if st[1] ~= 'starting' and st[1] ~= 'ready' then
    redis.call('ZREM', KEYS[2], id)
  elseif st[1] == 'ready' and redis.call('EXISTS', ARGV[8] .. ':worker:' .. st[2]) == 0 then
    markLost(record, KEYS[2], id, now)
  end
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return 'limit' end
local fields = cjson.decode(ARGV[4])
for k, v in pairs(fields) do redis.call('HSET', KEYS[1], k, v) end
redis.call('HSET', KEYS[1], 'status', 'starting', 'owner', ARGV[2], 'worker', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return 'created'
`;

/**
 * move: a starting session to the next worker (the one asked refused it: full)
 *   KEYS[1] session hash; ARGV[1] from worker, ARGV[2] to worker → 1, or 0 when it is no
 *   longer starting on `from`
 */
export const SESSION_MOVE = `
if redis.call('HGET', KEYS[1], 'status') ~= 'starting' then return 0 end
if redis.call('HGET', KEYS[1], 'worker') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'worker', ARGV[2])
return 1
`;

/**
 * ready: the worker has opened the session's box
 *   KEYS[1] session hash; ARGV[1] worker id, ARGV[2] the record's TTL from now (s: its
 *   lifetime and the time an ended record is kept)
 *   → 'ready', or what it is instead ('missing', 'ended': its API gave up on it; or
 *   'starting' on another worker): the worker closes the box
 */
export const SESSION_READY = `
local st = redis.call('HMGET', KEYS[1], 'status', 'worker')
if not st[1] then return 'missing' end
if st[1] ~= 'starting' or st[2] ~= ARGV[1] then return st[1] end
redis.call('HSET', KEYS[1], 'status', 'ready')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 'ready'
`;

/**
 * end: a session's end, by its worker (closed: deleted, idle, lifetime, stop, its box
 * ended) or by the API that was opening it (open-failed)
 *   KEYS[1] session hash, KEYS[2] the owner's zset
 *   ARGV[1] session id, ARGV[2] reason, ARGV[3] usage JSON or '', ARGV[4] how long the
 *   ended record is kept (s), ARGV[5] the worker that ends it, or '' for any
 *   → 'ended', or its status when it was not starting or ready (or not that worker's)
 */
export const SESSION_END = `${MARK_LOST}
local st = redis.call('HMGET', KEYS[1], 'status', 'worker')
if not st[1] then return 'missing' end
if st[1] ~= 'starting' and st[1] ~= 'ready' then return st[1] end
if ARGV[5] ~= '' and st[2] ~= ARGV[5] then return 'elsewhere' end
redis.call('HSET', KEYS[1], 'status', 'ended', 'endReason', ARGV[2], 'endedAtMs', nowMs())
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'usage', ARGV[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
return 'ended'
`;

/**
 * check: is a ready session's worker alive? Alive is its record there and a heartbeat
 * since the last look; lost is a beat unmoved for ARGV[2] ms by Redis's clock (so no two
 * hosts' clocks are compared: scripts.ts OWNER_CHECK's way), or no record. A lost
 * session is marked so, at once, for every caller.
 *   KEYS[1] session hash, KEYS[2] workers zset (worker id → last beat), KEYS[3] the
 *   worker's record, KEYS[4] the owner's zset
 *   ARGV[1] session id, ARGV[2] the ms without a beat that make a worker lost
 *   → 'ready' | 'lost' | its status when not ready | 'missing'
 */
export const SESSION_CHECK = `${MARK_LOST}
local st = redis.call('HMGET', KEYS[1], 'status', 'worker', 'beat', 'beatSeenAt')
if not st[1] then return 'missing' end
if st[1] ~= 'ready' then return st[1] end
local now = nowMs()
local beat = redis.call('ZSCORE', KEYS[2], st[2])
if redis.call('EXISTS', KEYS[3]) == 0 or not beat then
  markLost(KEYS[1], KEYS[4], ARGV[1], now)
  return 'lost'
end
if st[3] ~= beat then
  redis.call('HSET', KEYS[1], 'beat', beat, 'beatSeenAt', now)
  return 'ready'
end
if now - tonumber(st[4]) >= tonumber(ARGV[2]) then
  markLost(KEYS[1], KEYS[4], ARGV[1], now)
  return 'lost'
end
return 'ready'
`;
