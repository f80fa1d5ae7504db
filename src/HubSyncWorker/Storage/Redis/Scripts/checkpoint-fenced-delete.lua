-- Deletes a checkpoint only while the writer's lease holds the lock (see checkpoint-fenced-set.lua).
-- KEYS[1] = checkpoint, KEYS[2] = lock; ARGV[1] = "{fencingToken}:". Returns 1 when deleted (or already gone), 0 when refused.
local held = redis.call('GET', KEYS[2])
if not held or string.sub(held, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
