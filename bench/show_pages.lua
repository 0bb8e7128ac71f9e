-- Before a run of the kept page-submission target of bench/http_speed.py: each respondent the run may use is shown
-- her page once (GET, no step in the address: the server reads her response from the database and keeps it), as
-- her browser asked for the page before she submitted it. bench/http_targets.py prepends survey_cookie,
-- secrets_file, next_file, shown_file and count: the next `count` responses from the pool's next fresh one on.
-- Once every one was answered, the last one shown is written to shown_file, and bench/http_targets.py stops wrk
-- (wrk.thread:stop() does not end a run).

local secrets = {}
local first, last, n, answered, written = 0, 0, 0, 0, false

function init(args)
   for line in io.lines(secrets_file) do
      secrets[#secrets + 1] = string.match(line, "(%S+) ")
   end
   local f = io.open(next_file)
   first = tonumber(f:read("*l"))
   f:close()
   last = math.min(first + count - 1, #secrets)
   n = first - 1
end

function request()
   n = n + 1
   if n > last then n = last end -- asked again while the last answers come in: a kept page, harmless
   return wrk.format("GET", nil, {["Host"] = wrk.headers["Host"], ["Cookie"] = survey_cookie .. secrets[n]}, nil)
end

function response(status, headers, body)
   answered = answered + 1
   -- Written once: each later answer rewriting it (truncating it first) let the bench read it empty.
   if answered >= last - first + 1 and not written then
      written = true
      local f = io.open(shown_file, "w")
      f:write(tostring(last) .. "\n")
      f:close()
   end
end
