-- A log is registered as soon as it is selected from the log list, before its starting
-- position is known (that needs a signed head, so a log unreachable from the start would
-- otherwise never show in `ctwatch logs`). started = 0 until the position is set.
ALTER TABLE logs ADD COLUMN started INTEGER NOT NULL DEFAULT 1;
