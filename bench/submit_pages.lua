-- Page submissions for bench/http_speed.py (bench/http_targets.py prepends survey_cookie, secrets_file, next_file
-- and bodies: the url-encoded form of each page of one valid pass through the demo survey, step by step).
--
-- wrk has one Lua state for all connections and does not say which connection a response belongs to, so each
-- request takes the next slot of a window larger than the number of connections: a slot holds one fresh
-- response (its cookie secret) and the step it is at; the slot's previous request went out `window` requests
-- earlier, and since a connection sends its next request only once its last one was answered, at most as many
-- requests as connections (256 at the most) are unanswered at any time: it has been answered. A response that has
-- sent its last page leaves its slot to a fresh one. The window is kept small so that a run uses few responses
-- (the kept target's respondents are each shown their page before the run, as many as the server keeps).
-- The pool's responses were saved at random pages of the walk (secrets_file: "secret step" lines), so the pages
-- are mixed from the first request on.
-- A request sent on a step the response is not at would be refused (400) and counted as an error by wrk.

local window = 1024
local slots = {}
local secrets = {}
local n = 0
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   for line in io.lines(secrets_file) do
      local secret, step = string.match(line, "(%S+) (%d+)")
      secrets[#secrets + 1] = {secret, tonumber(step)}
   end
   local f = io.open(next_file)
   fresh = tonumber(f:read("*l"))
   f:close()
end

function request()
   n = n + 1
   local slot = n % window
   local s = slots[slot]
   if s == nil or s.step > #bodies or s.once then
      -- A response first used while wrk is still opening its connections gets no second request: one of those
      -- first requests can be lost with its connection, and the next one would then carry a step the response
      -- is not at (a 400 from the server, nothing lost, but not a page submission either).
      s = {secret = secrets[fresh][1], step = secrets[fresh][2], once = n <= 1024}
      fresh = fresh + 1
      slots[slot] = s
   end
   local body = bodies[s.step]
   s.step = s.step + 1
   return wrk.format("POST", nil, {
      ["Host"] = wrk.headers["Host"],
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = survey_cookie .. s.secret,
   }, body)
end

function done(summary, latency, requests)
   -- The next run (another number of connections) starts with responses this one has not touched.
   local top = 0
   for _, thread in ipairs(threads) do
      local value = thread:get("fresh")
      if value and value > top then top = value end
   end
   local f = io.open(next_file, "w")
   f:write(tostring(top) .. "\n")
   f:close()
end
