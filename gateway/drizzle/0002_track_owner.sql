-- Owner changes of owned tables (see docs/protocol.md, "Rows that leave a query").
-- syncline_owner_moved() runs before an update that changes a row's owner: it gives the
-- row a new change position, version and updated_at unless the statement set them (so a
-- back office's plain `update ... set user_id = ...` reaches the new owner's next pull),
-- and records the move in syncline_moved_out for the previous owner's pulls.
CREATE OR REPLACE FUNCTION syncline_owner_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous_owner text := to_jsonb(OLD) ->> TG_ARGV[0];
BEGIN
  IF NEW.change_seq = OLD.change_seq THEN
    NEW.change_txid := pg_current_xact_id();
    NEW.change_seq := nextval('syncline_change_seq');
  END IF;
  IF NEW.version = OLD.version THEN
    NEW.version := OLD.version + 1;
  END IF;
  IF NEW.updated_at = OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  -- A row without an owner was on nobody's device.
  IF previous_owner IS NOT NULL THEN
    INSERT INTO syncline_moved_out (table_name, row_id, previous_owner, change_txid, change_seq)
    VALUES (TG_TABLE_NAME, OLD.id, previous_owner, NEW.change_txid, NEW.change_seq);
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
-- One call per owned table, e.g. SELECT syncline_track_owner('job_card', 'technician_id');
-- Calling it again replaces the table's trigger.
CREATE OR REPLACE FUNCTION syncline_track_owner(target regclass, owner_column text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TRIGGER IF EXISTS syncline_owner_moved ON %s', target);
  EXECUTE format(
    'CREATE TRIGGER syncline_owner_moved BEFORE UPDATE OF %1$I ON %2$s FOR EACH ROW '
      || 'WHEN (OLD.%1$I IS DISTINCT FROM NEW.%1$I) EXECUTE FUNCTION syncline_owner_moved(%3$L)',
    owner_column, target, owner_column
  );
END
$$;
--> statement-breakpoint
-- The example model's owned tables that clients pull. vehicle_model_update is write-only:
-- nobody pulls it, so nobody needs to hear that one of its rows moved.
SELECT syncline_track_owner('todo_item', 'user_id');
