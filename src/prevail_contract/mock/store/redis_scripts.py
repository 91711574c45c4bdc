"""The Redis store's Lua scripts: each one step that Redis runs atomically (see ``redis_store``)."""

from __future__ import annotations

#: What a script answers when the world's ``loaded`` marker is missing.
VANISHED = -1

# KEYS: sessions, ids, loaded; ARGV: id, JSON. A new Session and its place in the order.
_ADD = """
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
"""
# KEYS: sessions, ids, outbox, loaded; ARGV: id, the Session JSON read ('' = none), new JSON,
# messages... {1} when stored; {0, current JSON or ''} when another writer changed it; {-1}
# when the world is gone.
_COMPARE_AND_SET = """
if redis.call('EXISTS', KEYS[4]) == 0 then return {-1} end
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return {0, current} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if current == '' then redis.call('RPUSH', KEYS[2], ARGV[1]) end
for i = 4, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
return {1}
"""
# KEYS: deadlines, meta; ARGV: id, '1' to push the deadline back ('0' to look only). 1 when
# the sandbox is live, nil when it is gone or past its deadline.
_TOUCH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not deadline) or tonumber(deadline) <= now then return false end
local ttl = tonumber(redis.call('HGET', KEYS[2], 'ttl_ms'))
if not ttl then return false end
if ARGV[2] == '1' then redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1]) end
return 1
"""
# KEYS: deadlines, counts; ARGV: id, TTL ms, Sessions, most sandboxes, most Sessions in all.
# 1 when the new sandbox is counted in, -1 at the sandbox cap, -2 at the Session cap.
_RESERVE = """
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return -1 end
local held = 0
for _, n in ipairs(redis.call('HVALS', KEYS[2])) do held = held + tonumber(n) end
if held + tonumber(ARGV[3]) > tonumber(ARGV[5]) then return -2 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
"""
# KEYS: deadlines, counts; ARGV: key prefix, id or '' (= every expired one). Deleted ids.
_DELETE = """
local ids
if ARGV[2] == '' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
else
  ids = {}
  if redis.call('ZSCORE', KEYS[1], ARGV[2]) then ids = {ARGV[2]} end
end
for _, id in ipairs(ids) do
  local p = ARGV[1] .. id .. ':'
  redis.call('DEL', p .. 'sessions', p .. 'ids', p .. 'outbox', p .. 'meta', p .. 'loaded')
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
return ids
"""
SCRIPTS = {
    "add": _ADD,
    "compare_and_set": _COMPARE_AND_SET,
    "touch": _TOUCH,
    "reserve": _RESERVE,
    "delete": _DELETE,
}
