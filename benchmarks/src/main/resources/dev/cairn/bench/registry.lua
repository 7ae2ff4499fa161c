-- Registry load for wrk, built like kv.lua: every request is made once in init(), so a request
-- costs the generator an array index.
-- Usage: wrk -s registry.lua URL -- register <run-label> [requests-per-thread]
--        wrk -s registry.lua URL -- health <service>
-- register: PUT /v1/agent/service/register with a distinct ID per request (thread and run in the
-- ID, so no two requests of a run, nor of two runs, register the same ID; a thread that runs out
-- starts over, re-registering its IDs: give it enough).
-- health: GET /v1/health/service/<service>?passing, the same request each time.
local requests = {}
local n = 0
local i = 0
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  local op = args[1]
  if op == "register" then
    local run = args[2]
    local count = tonumber(args[3] or "200000")
    local headers = { ["Content-Type"] = "application/json" }
    for k = 1, count do
      local id = string.format("reg-%s-%d-%07d", run, tid, k)
      local body = string.format('{"ID":"%s","Name":"reg-%d","Address":"10.%d.%d.%d","Port":%d,"Tags":["bench"],"Meta":{"run":"%s"}}',
        id, k % 100, tid, math.floor(k / 65536) % 256, math.floor(k / 256) % 256, 1024 + k % 60000, run)
      requests[k] = wrk.format("PUT", "/v1/agent/service/register", headers, body)
    end
    n = count
  else
    requests[1] = wrk.format("GET", "/v1/health/service/" .. args[2] .. "?passing")
    n = 1
  end
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return requests[i]
end
