-- wrk script for make bench (c): every request looks up a random seeded order.
-- CERTHALL_BENCH_ORDERS names the list written by `certhall-admin seed --bench-list`
-- (one "ORDERNO TAIL" a line). wrk loads this file once per thread and once in its main state.

local path = os.getenv("CERTHALL_BENCH_ORDERS")
if not path or path == "" then
  error("lookup.lua: set CERTHALL_BENCH_ORDERS to the bench order list")
end

local bodies = {}
local f = assert(io.open(path, "r"))
for line in f:lines() do
  local no, tail = line:match("^(%d+)%s+(%d+)%s*$")
  if no then
    bodies[#bodies + 1] = string.format('{"order_no":"%s","mobile_tail":"%s"}', no, tail)
  end
end
f:close()
if #bodies == 0 then
  error("lookup.lua: no orders in " .. path)
end

local headers = { ["Content-Type"] = "application/json" }
local next_id = 0

-- Main state: number the threads so that each draws its own sequence.
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function request()
  -- The path of the URL wrk was given: certhall's look-up, or the PHP peer's.
  return wrk.format("POST", wrk.path, headers, bodies[math.random(#bodies)])
end
