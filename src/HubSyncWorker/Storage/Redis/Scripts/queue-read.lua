-- Leases entries of the work queue to one consumer (RedisWorkQueue.ReadAsync).
-- KEYS[1] = stream, KEYS[2] = waiting hash; ARGV = group, consumer, min idle ms, count, contacts field name, marker field name.
-- Reclaims entries idle too long (their consumer is presumed dead), then reads new ones, until the entries hold `count` contacts
-- (the contacts field is a comma-separated list: entries are taken one at a time so a read never holds many more contacts than
-- asked for). Returns {id, fields, deliveries} per entry. It removes the waiting marker of each entry handed out that carries one
-- (the marker holds the entry's token), atomically: a change enqueued after this read is queued again, one enqueued before is
-- covered by it.
local stream, group, consumer, idle = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local count, cfield, mfield = tonumber(ARGV[4]), ARGV[5], ARGV[6]
local out, taken = {}, 0
local function contacts(fields)
  for i = 1, #fields, 2 do
    if fields[i] == cfield then
      return select(2, string.gsub(fields[i + 1], ',', ',')) + 1
    end
  end
  return 1
end
for _, p in ipairs(redis.call('XPENDING', stream, group, 'IDLE', idle, '-', '+', count)) do
  if taken >= count then break end
  local e = redis.call('XCLAIM', stream, group, consumer, idle, p[1])[1]
  if e then
    out[#out + 1] = {e[1], e[2], p[4] + 1}
    taken = taken + contacts(e[2])
  end
end
while taken < count do
  local r = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 1, 'STREAMS', stream, '>')
  if not r then break end
  local e = r[1][2][1]
  out[#out + 1] = {e[1], e[2], 1}
  taken = taken + contacts(e[2])
end
for _, o in ipairs(out) do
  local fields = o[2]
  local contact, token
  for i = 1, #fields, 2 do
    if fields[i] == cfield then
      contact = fields[i + 1]
    elseif fields[i] == mfield then
      token = fields[i + 1]
    end
  end
  if token and contact and redis.call('HGET', KEYS[2], contact) == token then
    redis.call('HDEL', KEYS[2], contact)
  end
end
return out
