-- wrk script for the comparative harness: every write carries N pipelined
-- GET requests for the request's path (N = first script argument, default 16).
-- wrk parses each response, so Requests/sec counts every pipelined request.
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format("GET", wrk.path)
  end
  req = table.concat(r)
end

request = function()
  return req
end
