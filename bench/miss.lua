-- The miss path: every request carries a new `id` (part of the cache key in both configurations), so every request
-- goes to the upstream and is then stored. Each wrk thread numbers its own requests.
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n = 0

function request()
  n = n + 1
  return wrk.format("GET", "/miss?id=" .. tid .. "-" .. n)
end
