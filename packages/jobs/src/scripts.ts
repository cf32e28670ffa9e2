/**
 * The job record's state changes, each one Lua script so that two parties (a worker and a
 * DELETE, or two workers after a lost lock) can never both win. Contract headers as in
 * BullMQ's scripts: keys, args, result.
 */

/**
 * create
 *   KEYS[1] job hash, KEYS[2] event stream
 *   ARGV[1] owner, ARGV[2] language, ARGV[3] version, ARGV[4] createdAt (ISO),
 *   ARGV[5] status event JSON, ARGV[6] ttl seconds, ARGV[7] stream maxlen
 *   → 1 (0 when the id exists already)
 */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued', 'owner', ARGV[1], 'language', ARGV[2], 'version', ARGV[3], 'createdAt', ARGV[4])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[7], '*', 'type', 'status', 'data', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return 1
`;

/**
 * start: a worker claims the job before any of its code runs
 *   KEYS[1] job hash, KEYS[2] event stream
 *   ARGV[1] worker id, ARGV[2] startedAt (ISO), ARGV[3] status event JSON, ARGV[4] maxlen,
 *   ARGV[5] claim token (new for each try: a try whose reply was lost, sent again after a
 *   reconnect, finds its own claim and is still 'started')
 *   → 'started' | 'cancelled' | 'lost' (already running: another claim, whose worker may
 *     be gone and whose code may have run) | 'missing' | another final status
 */
export const START = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'queued' then
  redis.call('HSET', KEYS[1], 'status', 'running', 'worker', ARGV[1], 'startedAt', ARGV[2], 'claim', ARGV[5])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'type', 'status', 'data', ARGV[3])
  return 'started'
end
if status == 'running' then
  if redis.call('HGET', KEYS[1], 'claim') == ARGV[5] then return 'started' end
  return 'lost'
end
return status
`;

/**
 * ownerCheck: a running job's queue entry came back (its lock ran out): is the worker that
 * claimed it alive? Alive is a heartbeat since the last look, so no two hosts' clocks are
 * compared. Dead takes two looks in a row that find no new beat, each at least ARGV[2] ms
 * after the one before (Redis's clock): a look sooner than that (a command sent again
 * after a reconnect, two workers looking at once) judges nothing, and one miss (the owner
 * not yet reconnected after an outage) only makes it suspect.
 *   KEYS[1] job hash, KEYS[2] workers zset (worker id → last heartbeat)
 *   ARGV[1] the asking worker's id, ARGV[2] the least ms between two looks that judge
 *   → 'ended' (not running now) | 'mine' | 'alive' | 'dead'
 */
export const OWNER_CHECK = `
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 'ended' end
local owner = redis.call('HGET', KEYS[1], 'worker')
if owner == ARGV[1] then return 'mine' end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local beat = redis.call('ZSCORE', KEYS[2], owner) or 'none'
local seen = redis.call('HMGET', KEYS[1], 'ownerBeat', 'ownerLookAt', 'ownerSuspect')
if seen[1] ~= beat then
  redis.call('HSET', KEYS[1], 'ownerBeat', beat, 'ownerLookAt', now, 'ownerSuspect', '0')
  return 'alive'
end
if now - tonumber(seen[2]) < tonumber(ARGV[2]) then return 'alive' end
if seen[3] == '1' then return 'dead' end
redis.call('HSET', KEYS[1], 'ownerLookAt', now, 'ownerSuspect', '1')
return 'alive'
`;

/**
 * finish: the job's last word
 *   KEYS[1] job hash, KEYS[2] event stream
 *   ARGV[1] final status, ARGV[2] finishedAt (ISO), ARGV[3] result JSON or '',
 *   ARGV[4] error JSON or '', ARGV[5] status event JSON, ARGV[6] result event JSON (the
 *   job's view), ARGV[7] ttl seconds, ARGV[8] maxlen, ARGV[9] the status it must be in
 *   ('running', or 'queued' for a job that never started)
 *   → 1, or 0 when the job was not in that status (someone else finished it)
 */
export const FINISH = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[9] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'finishedAt', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'result', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[4]) end
if ARGV[10] ~= '' then redis.call('HSET', KEYS[1], 'judge', ARGV[10]) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'type', 'status', 'data', ARGV[5])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'type', 'result', 'data', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('EXPIRE', KEYS[2], ARGV[7])
return 1
`;

/**
 * failWithoutResult: a running job's end as failed, with an error and no result, for when
 * its own end could not be written (Redis over its maxmemory refused it). It must work over
 * maxmemory: its event stream is emptied first, which frees what the job's output held
 * there and, being a write, lets the writes after it through — a script without flags is
 * refused for memory only up to its first write (Redis 6, and 7 for scripts without a
 * shebang: the order of the lines below matters). The stream keeps its last id, so the
 * two small events added come after anything a follower has read.
 *   KEYS[1] job hash, KEYS[2] event stream
 *   ARGV[1] finishedAt (ISO), ARGV[2] error JSON, ARGV[3] status event JSON, ARGV[4] result
 *   event JSON (the job's view), ARGV[5] ttl seconds, ARGV[6] maxlen
 *   → 1, or 0 when the job was not running (someone else finished it)
 */
export const FAIL_WITHOUT_RESULT = `
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('XTRIM', KEYS[2], 'MAXLEN', 0)
redis.call('HDEL', KEYS[1], 'result', 'judge')
redis.call('HSET', KEYS[1], 'status', 'failed', 'finishedAt', ARGV[1], 'error', ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'type', 'status', 'data', ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'type', 'result', 'data', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
`;

/**
 * requestCancel: marks a running job for its worker to kill
 *   KEYS[1] job hash → the status ('running' means the flag is set; 'queued' means the
 *   caller should finish it as cancelled itself)
 */
export const REQUEST_CANCEL = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'running' then redis.call('HSET', KEYS[1], 'cancelRequested', '1') end
return status
`;

/**
 * leaseDue: takes what is due from a schedule (a sorted set scored by when each member is
 * due, ms) for leaseMs, so that of many takers each member goes to one at a time
 *   KEYS[1] the schedule
 *   ARGV[1] now (ms), ARGV[2] lease end (ms), ARGV[3] most members to take
 *   → the members taken; each is due again at the lease's end unless its taker says else
 */
export const LEASE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return due
`;
