-- The sample table behind the Functions app's API and the lab's sample app.
-- Idempotent: safe to run at every start and from several processes at once
-- (SampleSchema.EnsureAsync wraps it in a transaction holding an advisory lock).
CREATE TABLE IF NOT EXISTS prewarm_orders (
    order_id    uuid          PRIMARY KEY,
    customer_id int           NOT NULL,
    status      text          NOT NULL,
    placed_at   timestamptz   NOT NULL,
    total       numeric(12,2) NOT NULL,
    details     jsonb         NOT NULL
);

-- The sample query filters on customer and time and orders by time: this index makes it an index scan.
CREATE INDEX IF NOT EXISTS prewarm_orders_customer_placed
    ON prewarm_orders (customer_id, placed_at DESC);

-- 400 deterministic rows, 20 per customer (customers 1..20), with varied status, totals and details;
-- the ids are derived from n so a re-run inserts nothing.
INSERT INTO prewarm_orders (order_id, customer_id, status, placed_at, total, details)
SELECT md5('prewarm-seed-' || n)::uuid,
       1 + n % 20,
       (ARRAY['placed', 'paid', 'shipped', 'delivered'])[1 + (n / 20) % 4],
       timestamptz '2026-01-01 00:00:00+00' + n * interval '97 minutes',
       round((5 + (n * 37) % 495)::numeric + (n % 100) / 100.0, 2),
       jsonb_build_object('items', 1 + (n / 20) % 5, 'channel', CASE WHEN (n / 20) % 3 = 0 THEN 'web' ELSE 'app' END)
FROM generate_series(1, 400) AS n
ON CONFLICT (order_id) DO NOTHING;
