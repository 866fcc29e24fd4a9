ALTER TABLE "scrapes" ADD COLUMN "last_ran_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "scrapes" ADD COLUMN "last_captured_at" timestamp with time zone;--> statement-breakpoint
UPDATE "scrapes" SET "last_ran_at" = "ran_at", "last_captured_at" = "captured_at";--> statement-breakpoint
ALTER TABLE "scrapes" ALTER COLUMN "last_ran_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "scrapes" ALTER COLUMN "last_captured_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "scrapes" ADD COLUMN "count" integer DEFAULT 1 NOT NULL;
