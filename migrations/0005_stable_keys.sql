ALTER TABLE "events" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "standings" ADD COLUMN "source_key" text;--> statement-breakpoint
CREATE INDEX "events_updated_idx" ON "events" USING btree ("updated_at");