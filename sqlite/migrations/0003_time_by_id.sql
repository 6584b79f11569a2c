-- 0003: chats by creation time and decisions by time are found through
-- their ids (sqlite/order.go): the engine's clock never goes back, so both
-- times grow with the ids. Each of these indexes took about one WAL page in
-- every commit at 1,000 connects/s.
DROP INDEX chats_created;
DROP INDEX decisions_at;
