-- wrk script: POST /api/auth/login with a JSON body (the user run.sh registered).
-- Usage: wrk -s login.lua URL   (env BENCH_USER, BENCH_PASSWORD)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"username":"%s","password":"%s"}',
                         os.getenv("BENCH_USER") or "bench_user",
                         os.getenv("BENCH_PASSWORD") or "bench-password-1")
