-- Sends pre-signed HubSpot webhook deliveries (v3 signatures need an HMAC, which wrk's Lua lacks).
-- Usage: wrk -t2 -c32 -d20s --latency -s scripts/wrk-webhooks.lua http://127.0.0.1:PORT/webhooks/hubspot -- BATCHES.tsv THREADS
-- BATCHES.tsv: one delivery per line, "timestamp<TAB>signature<TAB>json body", written by
-- `HubSyncWorker.LoadTests webhook-load` for the URL being loaded. Thread i sends lines i, i+THREADS, i+2*THREADS, ...
-- so no two threads send the same delivery; a thread that runs out starts its share again (those are then duplicates).

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local stride = tonumber(args[2] or "1")
  requests = {}
  local n = 0
  for line in io.lines(path) do
    if n % stride == thread_index then
      local ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/json",
        ["X-HubSpot-Request-Timestamp"] = ts,
        ["X-HubSpot-Signature-v3"] = sig,
      }, body)
    end
    n = n + 1
  end
  request_count = #requests
  next_index = 0
  wrapped = 0
end

function request()
  next_index = next_index + 1
  if next_index > #requests then
    next_index = 1
    wrapped = wrapped + 1
  end
  return requests[next_index]
end

function done(summary, latency, requests_)
  local distinct = 0
  local wraps = 0
  for _, thread in ipairs(threads) do
    distinct = distinct + thread:get("request_count")
    wraps = wraps + thread:get("wrapped")
  end
  io.write(string.format("DISTINCT-DELIVERIES %d WRAPS %d\n", distinct, wraps))
end
