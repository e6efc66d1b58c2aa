import { trpc } from '@jobkit/react';
import { lazy, Suspense } from 'react';
import { Link, Route, Switch } from 'wouter';
import { ActiveJobsIndicator } from './ActiveJobsIndicator.tsx';
import { JobPage } from './pages/JobPage.tsx';
import { MyJobs } from './pages/MyJobs.tsx';
import { NewAnalysis } from './pages/NewAnalysis.tsx';
import { Tokens } from './pages/Tokens.tsx';
import { Webhooks } from './pages/Webhooks.tsx';
import { SignIn } from './SignIn.tsx';

// The job viewer (and its chart library) loads only for admins who open it.
const AdminJobs = lazy(() => import('./pages/admin/AdminJobs.tsx').then((module) => ({ default: module.AdminJobs })));
const AdminJobDetail = lazy(() => import('./pages/admin/AdminJobDetail.tsx').then((module) => ({ default: module.AdminJobDetail })));
const AdminSchedules = lazy(() => import('./pages/admin/AdminSchedules.tsx').then((module) => ({ default: module.AdminSchedules })));
const AdminWorkers = lazy(() => import('./pages/admin/AdminWorkers.tsx').then((module) => ({ default: module.AdminWorkers })));

function SignOut() {
  const utils = trpc.useUtils();
  const signOut = trpc.auth.signOut.useMutation({ onSuccess: () => utils.invalidate() });
  return (
    <button type="button" className="secondary" disabled={signOut.isPending} onClick={() => { signOut.mutate(); }}>
      Sign out
    </button>
  );
}

export function App() {
  const me = trpc.auth.me.useQuery();
  if (me.isPending) return <p className="layout muted">Loading…</p>;
  if (me.error) return <p role="alert" className="layout error">{me.error.message}</p>;
  if (!me.data) return <SignIn />;
  const isAdmin = me.data.role === 'admin';
  return (
    <div className="layout">
      <header className="masthead">
        <nav aria-label="Main">
          <Link href="/">New analysis</Link>
          <Link href="/jobs">My jobs</Link>
          <Link href="/tokens">API tokens</Link>
          <Link href="/webhooks">Webhooks</Link>
          {isAdmin && <Link href="/admin">Job viewer</Link>}
          {isAdmin && <Link href="/admin/schedules">Schedules</Link>}
          {isAdmin && <Link href="/admin/workers">Workers</Link>}
        </nav>
        <div className="account">
          <ActiveJobsIndicator />
          <span className="muted">{me.data.name}</span>
          <SignOut />
        </div>
      </header>
      <Suspense fallback={<p className="panel muted">Loading…</p>}>
      <Switch>
        <Route path="/" component={NewAnalysis} />
        <Route path="/jobs" component={MyJobs} />
        <Route path="/tokens" component={Tokens} />
        <Route path="/webhooks" component={Webhooks} />
        <Route path="/jobs/:id">{(params) => <JobPage jobId={params.id} />}</Route>
        <Route path="/admin">{isAdmin ? <AdminJobs /> : <NotAllowed />}</Route>
        <Route path="/admin/schedules">{isAdmin ? <AdminSchedules /> : <NotAllowed />}</Route>
        <Route path="/admin/workers">{isAdmin ? <AdminWorkers /> : <NotAllowed />}</Route>
        <Route path="/admin/jobs/:id">{(params) => (isAdmin ? <AdminJobDetail jobId={params.id} /> : <NotAllowed />)}</Route>
        <Route>
          <p className="panel">There is no such page. <Link href="/">Start an analysis</Link>.</p>
        </Route>
      </Switch>
      </Suspense>
    </div>
  );
}

function NotAllowed() {
  return (
    <p role="alert" className="panel error">
      Only administrators can open the job viewer.
    </p>
  );
}
