//! What generated plans and scripts share, whichever command writes them: the one shell quoting
//! function (`shell`) and the rules every value must pass before it is written into a script, a
//! manifest or a command (`values`).
//!
//! Runnable advice lives here too: the advice's steps and grants read as commands that a script
//! can run and manifests can hold (`steps`). `command` reads catalog commands as bash reads them,
//! `vars` checks the values that fill their placeholders. Pure; `render::script` and
//! `render::manifests` write the bytes.

pub mod command;
pub mod shell;
pub mod values;
pub mod vars;

use crate::advise::engine::Advice;
use crate::catalog::{Access, Catalog};
use command::Line;

/// What a step of the advice asks for, in the order the advice gives it.
#[derive(Debug)]
pub struct Step<'a> {
    /// The step's text, or for a grant the target, role and how.
    pub text: String,
    /// The source URLs of the rule or target the step comes from.
    pub sources: Vec<&'a str>,
    pub work: Work,
}

/// How a step is carried out.
#[derive(Debug)]
pub enum Work {
    /// Commands a script can run.
    Commands(Vec<Line>),
    /// Statements run inside a database by its Microsoft Entra admin, not by a shell.
    Sql(String),
    /// Done by hand (a code change, a review); `command` is shown when the catalog gives one
    /// that cannot be read as commands.
    ByHand { command: Option<String> },
}

/// The advice's next steps, then its grants not already among them.
pub fn steps<'a>(catalog: &'a Catalog, advice: &Advice<'a>) -> Vec<Step<'a>> {
    let mut out = Vec::new();
    let mut seen_commands: Vec<&str> = Vec::new();
    for step in &advice.steps {
        let work = match step.command {
            Some(command) => {
                seen_commands.push(command);
                match command::parse(command) {
                    Ok(lines) => Work::Commands(lines),
                    Err(_) => Work::ByHand {
                        command: Some(command.to_owned()),
                    },
                }
            }
            None => Work::ByHand { command: None },
        };
        out.push(Step {
            text: step.text.to_owned(),
            sources: step.sources.iter().map(|c| c.url).collect(),
            work,
        });
    }
    for grant in &advice.grants {
        let Some(target) = catalog.target(grant.target) else {
            continue;
        };
        if grant.command.is_some_and(|c| seen_commands.contains(&c)) {
            continue;
        }
        let role = grant.roles.first().copied().unwrap_or("no role");
        let text = format!("Grant on {}: {role}. {}", grant.name, grant.how);
        let work = match grant.command {
            Some(sql) if target.access == Access::DatabaseUser => Work::Sql(sql.to_owned()),
            Some(command) => match command::parse(command) {
                Ok(lines) => Work::Commands(lines),
                Err(_) => Work::ByHand {
                    command: Some(command.to_owned()),
                },
            },
            None => Work::ByHand { command: None },
        };
        out.push(Step {
            text,
            sources: grant.sources.iter().map(|c| c.url).collect(),
            work,
        });
    }
    out
}
