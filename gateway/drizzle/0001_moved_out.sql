CREATE TABLE "syncline_moved_out" (
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"previous_owner" text NOT NULL,
	"change_txid" "xid8" NOT NULL,
	"change_seq" bigint NOT NULL,
	"moved_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "syncline_moved_out_owner_change_idx" ON "syncline_moved_out" USING btree ("table_name","previous_owner","change_txid","change_seq");