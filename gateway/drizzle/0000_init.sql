CREATE SEQUENCE "public"."syncline_change_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "syncline_horizon" (
	"table_name" text PRIMARY KEY NOT NULL,
	"change_txid" "xid8" NOT NULL,
	"change_seq" bigint NOT NULL,
	"pruned_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "syncline_outcome" (
	"user_id" text NOT NULL,
	"op_id" text NOT NULL,
	"table_name" text NOT NULL,
	"outcome" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "syncline_outcome_user_id_op_id_pk" PRIMARY KEY("user_id","op_id")
);
--> statement-breakpoint
CREATE TABLE "todo_item" (
	"id" text PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"change_txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"change_seq" bigint DEFAULT nextval('syncline_change_seq') NOT NULL,
	"text" text NOT NULL,
	"complete" boolean DEFAULT false NOT NULL,
	"due_date" timestamp (3) with time zone,
	"user_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicle_manufacturer" (
	"id" text PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"change_txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"change_seq" bigint DEFAULT nextval('syncline_change_seq') NOT NULL,
	"name" text NOT NULL,
	"country" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicle_model" (
	"id" text PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"change_txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"change_seq" bigint DEFAULT nextval('syncline_change_seq') NOT NULL,
	"name" text NOT NULL,
	"year" integer NOT NULL,
	"accolade_count" integer DEFAULT 0 NOT NULL,
	"manufacturer_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicle_model_update" (
	"id" text PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"change_txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"change_seq" bigint DEFAULT nextval('syncline_change_seq') NOT NULL,
	"vehicle_model_id" text NOT NULL,
	"accolade_count" integer NOT NULL,
	"user_id" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "vehicle_model" ADD CONSTRAINT "vehicle_model_manufacturer_id_vehicle_manufacturer_id_fk" FOREIGN KEY ("manufacturer_id") REFERENCES "public"."vehicle_manufacturer"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "todo_item_change_idx" ON "todo_item" USING btree ("change_txid","change_seq");--> statement-breakpoint
CREATE INDEX "todo_item_owner_change_idx" ON "todo_item" USING btree ("user_id","change_txid","change_seq");--> statement-breakpoint
CREATE INDEX "vehicle_manufacturer_change_idx" ON "vehicle_manufacturer" USING btree ("change_txid","change_seq");--> statement-breakpoint
CREATE INDEX "vehicle_model_change_idx" ON "vehicle_model" USING btree ("change_txid","change_seq");--> statement-breakpoint
CREATE INDEX "vehicle_model_update_change_idx" ON "vehicle_model_update" USING btree ("change_txid","change_seq");--> statement-breakpoint
CREATE INDEX "vehicle_model_update_owner_change_idx" ON "vehicle_model_update" USING btree ("user_id","change_txid","change_seq");