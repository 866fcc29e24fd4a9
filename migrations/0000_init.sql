CREATE TABLE "boards" (
	"id" text PRIMARY KEY NOT NULL,
	"source_id" text NOT NULL,
	"name" text NOT NULL,
	"direction" text NOT NULL,
	"first_seen_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"board_id" text NOT NULL,
	"snapshot_id" bigint,
	"kind" text NOT NULL,
	"model" text,
	"name" text,
	"captured_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"old" jsonb,
	"new" jsonb,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "scrapes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"board_id" text NOT NULL,
	"ran_at" timestamp with time zone DEFAULT now() NOT NULL,
	"captured_at" timestamp with time zone NOT NULL,
	"origin" text NOT NULL,
	"status" text NOT NULL,
	"http_status" integer,
	"content_hash" text,
	"row_count" integer,
	"error" text,
	"source" text,
	"etag" text,
	"last_modified" text,
	"duration_ms" integer,
	"snapshot_id" bigint
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"board_id" text NOT NULL,
	"captured_at" timestamp with time zone NOT NULL,
	"entries_hash" text NOT NULL,
	"content_hash" text,
	"row_count" integer NOT NULL,
	"source" text,
	"format" text,
	"parser_version" text,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"homepage" text NOT NULL,
	"terms" text NOT NULL,
	"parser_version" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "standings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"board_id" text NOT NULL,
	"model" text NOT NULL,
	"name" text NOT NULL,
	"organization" text,
	"rank" integer,
	"score" double precision,
	"score_lower" double precision,
	"score_upper" double precision,
	"votes" integer,
	"price_input" double precision,
	"price_output" double precision,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "boards" ADD CONSTRAINT "boards_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_snapshot_id_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scrapes" ADD CONSTRAINT "scrapes_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scrapes" ADD CONSTRAINT "scrapes_snapshot_id_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "standings" ADD CONSTRAINT "standings_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "events_key_idx" ON "events" USING btree ("key");--> statement-breakpoint
CREATE INDEX "events_board_captured_idx" ON "events" USING btree ("board_id","captured_at");--> statement-breakpoint
CREATE INDEX "events_kind_captured_idx" ON "events" USING btree ("kind","captured_at");--> statement-breakpoint
CREATE INDEX "events_model_idx" ON "events" USING btree ("model");--> statement-breakpoint
CREATE INDEX "events_snapshot_idx" ON "events" USING btree ("snapshot_id");--> statement-breakpoint
CREATE INDEX "scrapes_board_ran_idx" ON "scrapes" USING btree ("board_id","ran_at");--> statement-breakpoint
CREATE INDEX "scrapes_board_captured_idx" ON "scrapes" USING btree ("board_id","captured_at");--> statement-breakpoint
CREATE UNIQUE INDEX "snapshots_board_captured_idx" ON "snapshots" USING btree ("board_id","captured_at");--> statement-breakpoint
CREATE UNIQUE INDEX "standings_board_model_from_idx" ON "standings" USING btree ("board_id","model","valid_from");--> statement-breakpoint
CREATE INDEX "standings_board_current_idx" ON "standings" USING btree ("board_id") WHERE "standings"."valid_to" is null;--> statement-breakpoint
CREATE INDEX "standings_board_range_idx" ON "standings" USING btree ("board_id","valid_from","valid_to");--> statement-breakpoint
CREATE INDEX "standings_model_idx" ON "standings" USING btree ("model");