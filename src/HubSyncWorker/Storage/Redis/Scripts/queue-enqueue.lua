-- Queues contacts one entry each, coalescing a contact already waiting (RedisWorkQueue.EnqueueAsync). The entry's fields come
-- ready-made from WorkQueueEntry; this script only adds the contact and its marker token.
-- KEYS[1] = stream, KEYS[2] = waiting hash; ARGV[1] = coalesce TTL ms, ARGV[2] = now ms, ARGV[3] = contacts field name,
-- ARGV[4] = marker field name; then per contact: its id, its token ("{now ms}-{nonce}-{n}", unique), the count n of its other
-- fields and those n values (name, value, ...). Returns how many entries were added.
-- The waiting hash maps each contact waiting in the stream to its entry's token: a contact already waiting is coalesced, unless its
-- marker is older than the coalesce TTL (its entry was lost, e.g. the stream deleted by hand), then it is queued again. The check
-- and the XADD run in one script, so two replicas enqueuing the same contact at once add one entry. Should the XADD fail (Redis out
-- of memory), the marker is removed again and the error returned, so no contact is coalesced into an entry that does not exist.
local ttl, now, cfield, mfield = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local added, i = 0, 5
while i <= #ARGV do
  local contact, token, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local queue = true
  if redis.call('HSETNX', KEYS[2], contact, token) == 0 then
    local since = tonumber(string.match(redis.call('HGET', KEYS[2], contact) or '', '^(%d+)-'))
    if since and now - since < ttl then
      queue = false
    else
      redis.call('HSET', KEYS[2], contact, token)
    end
  end
  if queue then
    local result = redis.pcall('XADD', KEYS[1], '*', cfield, contact, mfield, token, unpack(ARGV, i + 3, i + 2 + n))
    if type(result) == 'table' and result.err then
      redis.call('HDEL', KEYS[2], contact)
      return result
    end
    added = added + 1
  end
  i = i + 3 + n
end
return added
