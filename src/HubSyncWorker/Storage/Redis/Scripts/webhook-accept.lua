-- The webhook inbox (RedisWebhookInbox): checks each event's dedupe key, marks the new ones and queues their contacts, atomically.
-- KEYS[1] = stream; ARGV[1] = dedupe key prefix, ARGV[2] = dedupe TTL ms, ARGV[3] = now ms, ARGV[4] = contacts per entry,
-- ARGV[5] = contacts field name, ARGV[6] = the count h of the entries' other fields, ARGV[7 .. 6 + h] those fields (name, value,
-- ... from WorkQueueEntry); then the number of hours, and per hour: its number, its key count n and the n keys; then the count of
-- keys without an hour and those keys; then the contact of each key in that order, joined with commas ('' for a key that queues
-- none); then the ready-made entries: their number, and each one's contacts comma-joined (the distinct contacts of all the keys,
-- up to ARGV[4] an entry). The caller sends each key once. Returns one character per key, in that order: '1' new, '0' duplicate.
--   1. Dedupe: per hour, one HMGET of its keys, one HSET of the new ones and the hour's expiry (the TTL after the hour ends, or
--      after now); a key without an hour is SET NX PX on its own.
--   2. Queue: when every key is new (the usual case), each ready-made entry is added as it is; otherwise the contacts of the new
--      keys, each once, in entries of up to ARGV[4] contacts. So Lua handles no contact one by one unless a call repeats events.
--   3. Should an XADD fail (Redis out of memory, a damaged key), every key this call marked is removed again and the error
--      returned, so HubSpot's retry is processed as new. A write refused for memory before anything was written aborts the call.
local prefix, ttl, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local perEntry, cfield, h = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local flags, count, marked, singles, all = {}, 0, {}, {}, true
local i = 7 + h
for _ = 1, tonumber(ARGV[i]) do
  local hour, n = ARGV[i + 1], tonumber(ARGV[i + 2])
  local hash = prefix .. 'hour:' .. hour
  local present = redis.call('HMGET', hash, unpack(ARGV, i + 3, i + 2 + n))
  local add, m = {}, 0
  for j = 1, n do
    count = count + 1
    if present[j] then
      flags[count], all = '0', false
    else
      flags[count] = '1'
      add[m + 1], add[m + 2] = ARGV[i + 2 + j], '1'
      m = m + 2
    end
  end
  if m > 0 then
    redis.call('HSET', hash, unpack(add))
    redis.call('PEXPIREAT', hash, string.format('%d', math.max((tonumber(hour) + 1) * 3600000, now) + ttl))
    marked[#marked + 1] = {hash, add}
  end
  i = i + 2 + n
end
i = i + 1
local s = tonumber(ARGV[i])
for j = 1, s do
  local key = prefix .. ARGV[i + j]
  count = count + 1
  if redis.call('SET', key, '1', 'NX', 'PX', ttl) then
    flags[count] = '1'
    singles[#singles + 1] = key
  else
    flags[count], all = '0', false
  end
end
i = i + s + 1

local function undo(err)
  for _, m in ipairs(marked) do
    local names = {}
    for p = 1, #m[2], 2 do names[#names + 1] = m[2][p] end
    redis.call('HDEL', m[1], unpack(names))
  end
  if #singles > 0 then redis.call('DEL', unpack(singles)) end
  return err
end
local function queue(contacts)
  local added = redis.pcall('XADD', KEYS[1], '*', cfield, contacts, unpack(ARGV, 7, 6 + h))
  if type(added) == 'table' and added.err then return added end
end
if all then
  for j = i + 2, i + 1 + tonumber(ARGV[i + 1]) do
    local err = queue(ARGV[j])
    if err then return undo(err) end
  end
else
  local contacts, n, seen, k = {}, 0, {}, 0
  local function flush()
    local list = table.concat(contacts, ',', 1, n)
    n = 0
    return queue(list)
  end
  for contact in string.gmatch(ARGV[i] .. ',', '([^,]*),') do
    k = k + 1
    if flags[k] == '1' and contact ~= '' and not seen[contact] then
      seen[contact] = true
      n = n + 1
      contacts[n] = contact
      if n == perEntry then
        local err = flush()
        if err then return undo(err) end
      end
    end
  end
  if n > 0 then
    local err = flush()
    if err then return undo(err) end
  end
end
return table.concat(flags)
