-- wrk script for the soak run: every request is a POST of an N-byte body (N = first script
-- argument, default 20480) to the request's path; the server echoes it back.
init = function(args)
  local size = tonumber(args[1]) or 20480
  wrk.method = "POST"
  wrk.body = string.rep("x", size)
  wrk.headers["Content-Type"] = "application/octet-stream"
end
