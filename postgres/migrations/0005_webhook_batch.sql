-- 0005: a subscription may take several events in one request
-- (max_batch_size; 1 sends each event alone, as before).
ALTER TABLE webhooks ADD COLUMN max_batch integer NOT NULL DEFAULT 1;
