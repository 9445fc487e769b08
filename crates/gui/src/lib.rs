//! `appliance-gui` is the appliance's controller and its dashboard.
//!
//! It reads what the sensor processes send (IMU and LIGHT samples, STATS,
//! ACK, ERR) and what `applianced` reports (STATE) from one pipe, keeps a
//! small model of it ([`state::State`]), recognises gestures in the samples
//! (the `gestures` crate) and acts on them ([`controller`]: shake
//! calibrates, double tap and tilts change page, wave dims), sends the
//! sensors their commands, and draws three pages (motion, light, health)
//! and a banner line with embedded-graphics ([`dashboard`]).
//!
//! Drawing happens off screen in a [`headless::HeadlessScreen`]; only the
//! widgets whose data changed are redrawn, and only their rectangles are
//! copied out: to a Linux framebuffer of any RGB pixel format
//! ([`pixel`], [`display`]) or, headless, to a PNG file written with the
//! crate's own small encoder ([`png`]). The process is one `poll` loop
//! ([`run`]) that sleeps without waking while nothing happens.
//!
//! | module | what |
//! |---|---|
//! | [`state`] | the model: samples, histories, link health, processes, banner (pure) |
//! | [`layout`] | widget rectangles and fonts from the screen size |
//! | [`dashboard`] | the pages and widgets, dirty tracking |
//! | [`headless`] | the in-memory Rgb888 screen, PNG output |
//! | [`png`] | the PNG encoder |
//! | [`pixel`] | framebuffer pixel formats and conversion, without a device |
//! | [`display`] | `--display`: the framebuffer device, the console mode, PNG pacing |
//! | [`controller`] | gestures to actions, commands to send (pure) |
//! | [`args`], [`run`] | the command line and the poll loop |
//! | [`demo`] | a fixed state for golden images, benchmarks and screenshots |

pub mod args;
pub mod controller;
pub mod dashboard;
pub mod demo;
pub mod display;
pub mod headless;
pub mod layout;
pub mod pixel;
pub mod png;
pub mod run;
pub mod state;
