//! Schedules: when they fire. The parser checks a schedule's cron
//! expression and time zone with [`cron::CronSchedule`] at CREATE time.

pub mod cron;
