-- The miss path: every request carries a new `id` (part of the cache key in both configurations), so every request
-- goes to the upstream and is then stored. Each wrk thread numbers its own requests; the first script argument
-- (`wrk ... -- <run>`) keeps the ids of one run apart from those of earlier runs against the same cache.
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local run = "0"
local n = 0

function init(args)
  run = args[1] or "0"
end

function request()
  n = n + 1
  return wrk.format("GET", "/miss?id=" .. run .. "-" .. tid .. "-" .. n)
end
