-- wrk script for bench/run: sends the requests listed in a file (one path per line), each
-- thread from its own place in the list; `{random:LOW:HIGH}` in a path becomes a uniform
-- random integer per request. Arguments: <paths file> <method> [<body file>].
-- On exit it writes the figures as JSON to $BENCH_OUT.

local threads = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

local paths = {}
local method, body
local position = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  method = args[2]
  if args[3] then
    local file = io.open(args[3], "rb")
    body = file:read("*a")
    file:close()
  end
  math.randomseed(os.time() * 1000 + thread_number)
  position = thread_number * 7919
end

function request()
  position = position + 1
  local path = paths[(position % #paths) + 1]:gsub("{random:(%d+):(%d+)}", function(low, high)
    return tostring(math.random(tonumber(low), tonumber(high)))
  end)
  return wrk.format(method, path, nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  local out = io.open(os.getenv("BENCH_OUT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d}',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout + errors.status))
  out:close()
end
