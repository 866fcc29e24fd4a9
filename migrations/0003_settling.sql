ALTER TABLE "events" ADD COLUMN "status" text DEFAULT 'published' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "settled_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "events_board_status_idx" ON "events" USING btree ("board_id","status");--> statement-breakpoint
UPDATE "events" SET "settled_at" = "captured_at" WHERE "settled_at" IS NULL;
