-- The "survey page, read" target of bench/http_speed.py: each request is the page of another respondent, asked for
-- at /page without the step, so the server reads her response from the database every time (what a server that has
-- not seen her before does). Another respondent each time, as in real traffic: many requests for one response would
-- share one database read when they arrive together (consult/surveys/read_batch.py). Nothing is written.
-- bench/http_targets.py prepends survey_cookie and secrets_file (a pool of responses at random pages of the survey).

local secrets = {}
local n = 0

function init(args)
   for line in io.lines(secrets_file) do
      secrets[#secrets + 1] = string.match(line, "(%S+)")
   end
end

function request()
   n = n % #secrets + 1
   return wrk.format("GET", nil, {["Host"] = wrk.headers["Host"], ["Cookie"] = survey_cookie .. secrets[n]}, nil)
end
