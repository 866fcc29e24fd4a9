DROP INDEX "scrapes_board_ran_idx";--> statement-breakpoint
ALTER TABLE "scrapes" ADD COLUMN "last_ran_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "scrapes" ADD COLUMN "last_captured_at" timestamp with time zone;--> statement-breakpoint
UPDATE "scrapes" SET "last_ran_at" = "ran_at", "last_captured_at" = "captured_at";--> statement-breakpoint
ALTER TABLE "scrapes" ALTER COLUMN "last_ran_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "scrapes" ALTER COLUMN "last_captured_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "scrapes" ADD COLUMN "count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX "scrapes_board_last_ran_idx" ON "scrapes" USING btree ("board_id","last_ran_at");
