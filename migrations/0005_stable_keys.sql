ALTER TABLE "events" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "standings" ADD COLUMN "source_key" text;--> statement-breakpoint
CREATE INDEX "events_updated_idx" ON "events" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "standings_source_key_idx" ON "standings" USING btree ("source_key") WHERE "standings"."source_key" is not null;